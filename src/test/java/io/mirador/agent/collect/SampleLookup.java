package io.mirador.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mirador.model.Sample;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Finding samples in a collector's output by name and tags. */
final class SampleLookup {

  private SampleLookup() {
  }

  /** The value of the one sample with this name and exactly these tags; fails when there is none or several. */
  static double value(List<Sample> samples, String name, Map<String, String> tags) {
    List<Sample> matching = samples.stream().filter(s -> s.name().equals(name) && s.tags().equals(tags)).toList();
    assertEquals(1, matching.size(), () -> "expected one " + name + tags + " in " + samples);
    return matching.get(0).value();
  }

  static double value(List<Sample> samples, String name) {
    return value(samples, name, Map.of());
  }

  static Set<String> names(List<Sample> samples) {
    return samples.stream().map(Sample::name).collect(Collectors.toSet());
  }
}
