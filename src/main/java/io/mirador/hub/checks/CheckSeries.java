package io.mirador.hub.checks;

import io.mirador.model.CheckResult;
import io.mirador.model.Sample;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A check's metrics as series: every sample of a result's perfdata (Nagios perfdata, or the samples a metric-format
 * script printed) is stored like a collector's sample, under the name docs/CHECKS.md gives it, tagged
 * {@code check=<check name>} so two checks printing the same name stay two series. Bounded as every event is: a
 * result carries at most 10,000 samples (the parsers' bound), and the store's series bounds apply.
 */
public final class CheckSeries {

  /** The tag naming the check a series came from. */
  public static final String CHECK_TAG = "check";

  /** Most tags a sample may carry (Sample's bound); a sample with that many of its own keeps them and goes untagged. */
  static final int MAX_TAGS = 16;

  private CheckSeries() {
  }

  /** The samples to store for one result; empty when it has no perfdata. */
  public static List<Sample> of(CheckResult result) {
    List<Sample> perfdata = result.perfdata();
    if (perfdata.isEmpty()) {
      return List.of();
    }
    List<Sample> series = new ArrayList<>(perfdata.size());
    for (Sample sample : perfdata) {
      series.add(tagged(sample, result.check()));
    }
    return series;
  }

  private static Sample tagged(Sample sample, String check) {
    Map<String, String> tags = sample.tags();
    if (check.equals(tags.get(CHECK_TAG))) {
      return sample;
    }
    if (tags.size() >= MAX_TAGS && !tags.containsKey(CHECK_TAG)) {
      return sample;
    }
    Map<String, String> withCheck = new HashMap<>(tags);
    withCheck.put(CHECK_TAG, check);
    return new Sample(sample.name(), Map.copyOf(withCheck), sample.value(), sample.ts());
  }
}
