package io.mirador.agent.collect;

import static io.mirador.agent.collect.SampleLookup.names;
import static io.mirador.agent.collect.SampleLookup.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.agent.collect.CpuCollector.Ticks;
import io.mirador.model.Sample;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CpuCollectorTest {

  private static final long NOW = 1_700_000_000_000L;
  private static final Map<String, String> TOTAL = Map.of("cpu", "total");
  private static final double EXACT = 1e-9;

  /** Ticks in OSHI's order: user, nice, system, idle, iowait, irq, softirq, steal. */
  private static long[] ticks(long user, long nice, long system, long idle, long iowait, long irq, long softirq, long steal) {
    return new long[] {user, nice, system, idle, iowait, irq, softirq, steal};
  }

  private static Ticks total(long[] total) {
    return new Ticks(total, new long[0][]);
  }

  @Test
  void firstCallHasNothingToCompareWith() {
    assertEquals(List.of(), CpuCollector.samples(null, total(ticks(1, 2, 3, 4, 5, 6, 7, 8)), NOW));
  }

  @Test
  void sharesAreTickDeltasOverAllTicks() {
    Ticks before = total(ticks(100, 0, 50, 800, 10, 0, 0, 0));
    // deltas: user 30, nice 10, system 15, idle 30, iowait 5, irq 3, softirq 2, steal 5 -> 100 ticks
    Ticks after = total(ticks(130, 10, 65, 830, 15, 3, 2, 5));

    List<Sample> samples = CpuCollector.samples(before, after, NOW);

    assertEquals(65.0, value(samples, "cpu.usage", TOTAL), EXACT, "100 - idle 30 - iowait 5");
    assertEquals(40.0, value(samples, "cpu.user", TOTAL), EXACT, "user 30 + nice 10");
    assertEquals(20.0, value(samples, "cpu.system", TOTAL), EXACT, "system 15 + irq 3 + softirq 2");
    assertEquals(5.0, value(samples, "cpu.iowait", TOTAL), EXACT);
    assertEquals(5.0, value(samples, "cpu.steal", TOTAL), EXACT);
    assertTrue(samples.stream().allMatch(s -> s.ts() == NOW));
  }

  @Test
  void usageIsUserPlusSystemPlusSteal() {
    Ticks before = total(ticks(0, 0, 0, 0, 0, 0, 0, 0));
    Ticks after = total(ticks(7, 1, 3, 11, 2, 1, 1, 4));

    List<Sample> samples = CpuCollector.samples(before, after, NOW);

    double sum = value(samples, "cpu.user", TOTAL) + value(samples, "cpu.system", TOTAL) + value(samples, "cpu.steal", TOTAL);
    assertEquals(value(samples, "cpu.usage", TOTAL), sum, EXACT);
    assertEquals(17.0 / 30 * 100, sum, EXACT);
  }

  @Test
  void eachLogicalCoreGetsItsOwnUsage() {
    Ticks before = new Ticks(ticks(0, 0, 0, 0, 0, 0, 0, 0),
        new long[][] {ticks(0, 0, 0, 0, 0, 0, 0, 0), ticks(0, 0, 0, 0, 0, 0, 0, 0)});
    Ticks after = new Ticks(ticks(150, 0, 100, 150, 0, 0, 0, 0),
        new long[][] {ticks(25, 0, 25, 150, 0, 0, 0, 0), ticks(125, 0, 75, 0, 0, 0, 0, 0)});

    List<Sample> samples = CpuCollector.samples(before, after, NOW);

    assertEquals(62.5, value(samples, "cpu.usage", TOTAL), EXACT);
    assertEquals(25.0, value(samples, "cpu.usage", Map.of("cpu", "0")), EXACT);
    assertEquals(100.0, value(samples, "cpu.usage", Map.of("cpu", "1")), EXACT);
    assertEquals(3, samples.stream().filter(s -> s.name().equals("cpu.usage")).count());
  }

  @Test
  void counterThatWentBackwardsCountsAsZero() {
    Ticks before = total(ticks(0, 0, 0, 0, 50, 0, 0, 0));
    // iowait dropped by 10 (the kernel allows it): only user 40 and idle 60 count
    Ticks after = total(ticks(40, 0, 0, 60, 40, 0, 0, 0));

    List<Sample> samples = CpuCollector.samples(before, after, NOW);

    assertEquals(40.0, value(samples, "cpu.usage", TOTAL), EXACT);
    assertEquals(0.0, value(samples, "cpu.iowait", TOTAL), EXACT);
  }

  @Test
  void noTicksPassedMeansNoSamples() {
    Ticks same = new Ticks(ticks(5, 5, 5, 5, 5, 5, 5, 5), new long[][] {ticks(5, 5, 5, 5, 5, 5, 5, 5)});
    assertEquals(List.of(), CpuCollector.samples(same, same, NOW));
  }

  @Test
  void changedCoreCountSkipsPerCoreSamplesOnly() {
    Ticks before = new Ticks(ticks(0, 0, 0, 0, 0, 0, 0, 0), new long[][] {ticks(0, 0, 0, 0, 0, 0, 0, 0)});
    Ticks after = new Ticks(ticks(10, 0, 0, 10, 0, 0, 0, 0),
        new long[][] {ticks(5, 0, 0, 5, 0, 0, 0, 0), ticks(5, 0, 0, 5, 0, 0, 0, 0)});

    List<Sample> samples = CpuCollector.samples(before, after, NOW);

    assertEquals(50.0, value(samples, "cpu.usage", TOTAL), EXACT);
    assertTrue(samples.stream().allMatch(s -> s.tags().equals(TOTAL)));
    assertEquals(Set.of("cpu.usage", "cpu.user", "cpu.system", "cpu.iowait", "cpu.steal"), names(samples));
  }
}
