package io.mirador.agent.collect;

import io.mirador.model.Sample;
import java.util.List;
import oshi.software.os.OperatingSystem;

/** Seconds since the host booted; nothing when OSHI cannot tell (a negative reading). */
public final class UptimeCollector implements Collector {

  private OperatingSystem os;

  public UptimeCollector() {
  }

  @Override
  public String name() {
    return "uptime";
  }

  @Override
  public int defaultIntervalSeconds() {
    return 60;
  }

  @Override
  public void init(CollectorContext context) {
    os = context.systemInfo().getOperatingSystem();
  }

  @Override
  public List<Sample> collect(long now) {
    return samples(os.getSystemUptime(), now);
  }

  static List<Sample> samples(long uptimeSeconds, long now) {
    return uptimeSeconds < 0 ? List.of() : List.of(Sample.of("system.uptime", uptimeSeconds, now));
  }
}
