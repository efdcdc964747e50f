package io.mirador.agent.collect;

import static io.mirador.agent.collect.SampleLookup.names;
import static io.mirador.agent.collect.SampleLookup.value;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mirador.agent.collect.DiskIoCollector.Counters;
import io.mirador.model.Sample;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DiskIoCollectorTest {

  private static final long NOW = 1_700_000_000_000L;
  private static final Map<String, String> SDA = Map.of("disk", "sda");
  private static final Counters BEFORE = new Counters(100, 1_000_000, 50, 4_000_000, 10_000);

  @Test
  void firstCallHasNoRates() {
    assertEquals(List.of(), DiskIoCollector.samples(Map.of(), Map.of("sda", BEFORE), 0, NOW));
  }

  @Test
  void ratesPerSecondOverTheElapsedTime() {
    Counters after = new Counters(300, 3_000_000, 150, 10_000_000, 10_500);

    List<Sample> samples = DiskIoCollector.samples(Map.of("sda", BEFORE), Map.of("sda", after), 2_000, NOW);

    assertEquals(1_000_000.0, value(samples, "disk.read_bytes", SDA), 1e-9);
    assertEquals(3_000_000.0, value(samples, "disk.write_bytes", SDA), 1e-9);
    assertEquals(100.0, value(samples, "disk.reads", SDA), 1e-9);
    assertEquals(50.0, value(samples, "disk.writes", SDA), 1e-9);
    assertEquals(25.0, value(samples, "disk.busy_pct", SDA), 1e-9, "500 ms busy of 2000 ms");
    assertEquals(5, samples.size());
  }

  @Test
  void counterResetSkipsOnlyThatValue() {
    Counters after = new Counters(300, 42, 150, 10_000_000, 9_000);

    List<Sample> samples = DiskIoCollector.samples(Map.of("sda", BEFORE), Map.of("sda", after), 2_000, NOW);

    assertEquals(Set.of("disk.write_bytes", "disk.reads", "disk.writes"), names(samples));
  }

  @Test
  void busyIsCappedAtOneHundredPercent() {
    Counters after = new Counters(100, 1_000_000, 50, 4_000_000, 12_100);

    List<Sample> samples = DiskIoCollector.samples(Map.of("sda", BEFORE), Map.of("sda", after), 2_000, NOW);

    assertEquals(100.0, value(samples, "disk.busy_pct", SDA));
  }

  @Test
  void onlyDisksSeenTwiceGetRates() {
    Map<String, Counters> before = Map.of("sda", BEFORE, "sdb", BEFORE);
    Map<String, Counters> after = Map.of("sda", BEFORE, "nvme0n1", BEFORE);

    List<Sample> samples = DiskIoCollector.samples(before, after, 1_000, NOW);

    assertEquals(Set.of(SDA), samples.stream().map(Sample::tags).collect(java.util.stream.Collectors.toSet()));
    assertEquals(0.0, value(samples, "disk.reads", SDA));
  }

  @Test
  void noElapsedTimeHasNoRates() {
    assertEquals(List.of(), DiskIoCollector.samples(Map.of("sda", BEFORE), Map.of("sda", BEFORE), 0, NOW));
  }

  @Test
  void diskTagIsTheDeviceNameWithoutDev() {
    assertEquals("sda", DiskIoCollector.diskName("/dev/sda"));
    assertEquals("nvme0n1", DiskIoCollector.diskName("/dev/nvme0n1"));
    assertEquals("disk0", DiskIoCollector.diskName("disk0"));
  }
}
