package io.mirador.agent.collect;

import static io.mirador.agent.collect.SampleLookup.names;
import static io.mirador.agent.collect.SampleLookup.value;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mirador.agent.collect.NetworkCollector.Counters;
import io.mirador.model.Sample;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NetworkCollectorTest {

  private static final long NOW = 1_700_000_000_000L;
  private static final Map<String, String> ETH0 = Map.of("iface", "eth0");
  private static final Counters BEFORE = new Counters(10_000, 20_000, 100, 200, 1, 2, 3);

  @Test
  void firstCallHasNoRates() {
    assertEquals(List.of(), NetworkCollector.samples(Map.of(), Map.of("eth0", BEFORE), 0, NOW));
  }

  @Test
  void ratesPerSecondOverTheElapsedTime() {
    Counters after = new Counters(60_000, 45_000, 150, 225, 6, 2, 8);

    List<Sample> samples = NetworkCollector.samples(Map.of("eth0", BEFORE), Map.of("eth0", after), 5_000, NOW);

    assertEquals(10_000.0, value(samples, "net.rx_bytes", ETH0), 1e-9);
    assertEquals(5_000.0, value(samples, "net.tx_bytes", ETH0), 1e-9);
    assertEquals(10.0, value(samples, "net.rx_packets", ETH0), 1e-9);
    assertEquals(5.0, value(samples, "net.tx_packets", ETH0), 1e-9);
    assertEquals(1.0, value(samples, "net.rx_errors", ETH0), 1e-9);
    assertEquals(0.0, value(samples, "net.tx_errors", ETH0), 1e-9);
    assertEquals(1.0, value(samples, "net.rx_dropped", ETH0), 1e-9);
    assertEquals(7, samples.size());
  }

  @Test
  void counterResetSkipsOnlyThatValue() {
    Counters after = new Counters(500, 20_000, 100, 200, 1, 2, 3);

    List<Sample> samples = NetworkCollector.samples(Map.of("eth0", BEFORE), Map.of("eth0", after), 1_000, NOW);

    assertEquals(Set.of("net.tx_bytes", "net.rx_packets", "net.tx_packets", "net.rx_errors", "net.tx_errors", "net.rx_dropped"),
        names(samples));
  }

  @Test
  void interfaceThatAppearedHasNoRatesYet() {
    List<Sample> samples = NetworkCollector.samples(Map.of("eth0", BEFORE),
        Map.of("eth0", BEFORE, "wg0", BEFORE), 1_000, NOW);

    assertEquals(Set.of(ETH0), samples.stream().map(Sample::tags).collect(java.util.stream.Collectors.toSet()));
  }
}
