package io.mirador.agent.collect;

import io.mirador.model.Sample;
import java.util.ArrayList;
import java.util.List;
import oshi.hardware.CentralProcessor;

/**
 * The system load averages over 1, 5 and 15 minutes ({@link CentralProcessor#getSystemLoadAverage(int)}). OSHI reports
 * an average it cannot read (Windows, for one) as negative; those are left out.
 */
public final class LoadCollector implements Collector {

  private static final String[] NAMES = {"load.1", "load.5", "load.15"};

  private CentralProcessor processor;

  public LoadCollector() {
  }

  @Override
  public String name() {
    return "load";
  }

  @Override
  public int defaultIntervalSeconds() {
    return 5;
  }

  @Override
  public void init(CollectorContext context) {
    processor = context.systemInfo().getHardware().getProcessor();
  }

  @Override
  public List<Sample> collect(long now) {
    return samples(processor.getSystemLoadAverage(NAMES.length), now);
  }

  /** {@code averages} holds the 1, 5 and 15 minute averages in that order, negative when unavailable. */
  static List<Sample> samples(double[] averages, long now) {
    List<Sample> out = new ArrayList<>(NAMES.length);
    for (int i = 0; i < Math.min(NAMES.length, averages.length); i++) {
      if (averages[i] >= 0 && Double.isFinite(averages[i])) {
        out.add(Sample.of(NAMES[i], averages[i], now));
      }
    }
    return out;
  }
}
