package io.mirador.agent.collect;

import static io.mirador.agent.collect.Rates.addPerSecond;

import io.mirador.model.Sample;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import oshi.hardware.NetworkIF;

/**
 * Traffic of each network interface except loopback ({@link NetworkIF}), tagged {@code iface}.
 *
 * <p>Rates per second over the time between two collections: {@code net.rx_bytes}, {@code net.tx_bytes},
 * {@code net.rx_packets}, {@code net.tx_packets}, {@code net.rx_errors}, {@code net.tx_errors} and
 * {@code net.rx_dropped} (inbound packets dropped, {@link NetworkIF#getInDrops()}). The first collection and the first
 * after an interface appears report nothing for it; a counter that went backwards skips that value for the round (see
 * {@link Rates}). At most {@link #MAX_INTERFACES} interfaces are reported, the first ones by name.
 */
public final class NetworkCollector implements Collector {

  static final int MAX_INTERFACES = 256;

  /** One interface's cumulative counters. */
  record Counters(long rxBytes, long txBytes, long rxPackets, long txPackets, long rxErrors, long txErrors,
      long rxDropped) {
  }

  private DeviceHandles<NetworkIF> interfaces;
  private Map<String, Counters> previous = Map.of();
  private long previousNanos;

  public NetworkCollector() {
  }

  @Override
  public String name() {
    return "network";
  }

  @Override
  public int defaultIntervalSeconds() {
    return 5;
  }

  @Override
  public void init(CollectorContext context) {
    var hardware = context.systemInfo().getHardware();
    interfaces = new DeviceHandles<>("network interfaces",
        () -> hardware.getNetworkIFs(true).stream().filter(iface -> !isLoopback(iface)).toList(),
        NetworkIF::updateAttributes, NetworkIF::getName, MAX_INTERFACES);
  }

  @Override
  public List<Sample> collect(long now) {
    long nanos = System.nanoTime();
    Map<String, Counters> current = new LinkedHashMap<>();
    for (NetworkIF iface : interfaces.refreshed(nanos)) {
      current.put(iface.getName(), new Counters(iface.getBytesRecv(), iface.getBytesSent(), iface.getPacketsRecv(),
          iface.getPacketsSent(), iface.getInErrors(), iface.getOutErrors(), iface.getInDrops()));
    }
    List<Sample> samples = samples(previous, current, (nanos - previousNanos) / 1_000_000, now);
    previous = current;
    previousNanos = nanos;
    return samples;
  }

  /**
   * Rates for each interface in both {@code previous} and {@code current} (keyed by interface name), read
   * {@code elapsedMs} apart.
   */
  static List<Sample> samples(Map<String, Counters> previous, Map<String, Counters> current, long elapsedMs, long now) {
    List<Sample> out = new ArrayList<>();
    current.forEach((iface, counters) -> {
      Counters before = previous.get(iface);
      if (before == null) {
        return;
      }
      Map<String, String> tags = Map.of("iface", iface);
      addPerSecond(out, "net.rx_bytes", tags, before.rxBytes(), counters.rxBytes(), elapsedMs, now);
      addPerSecond(out, "net.tx_bytes", tags, before.txBytes(), counters.txBytes(), elapsedMs, now);
      addPerSecond(out, "net.rx_packets", tags, before.rxPackets(), counters.rxPackets(), elapsedMs, now);
      addPerSecond(out, "net.tx_packets", tags, before.txPackets(), counters.txPackets(), elapsedMs, now);
      addPerSecond(out, "net.rx_errors", tags, before.rxErrors(), counters.rxErrors(), elapsedMs, now);
      addPerSecond(out, "net.tx_errors", tags, before.txErrors(), counters.txErrors(), elapsedMs, now);
      addPerSecond(out, "net.rx_dropped", tags, before.rxDropped(), counters.rxDropped(), elapsedMs, now);
    });
    return out;
  }

  private static boolean isLoopback(NetworkIF iface) {
    try {
      return iface.queryNetworkInterface().isLoopback();
    } catch (SocketException e) {
      // the interface went away while we asked; the next discovery will not list it
      return false;
    }
  }
}
