package io.mirador.agent.collect;

import io.mirador.model.Sample;
import java.util.List;
import oshi.software.os.OperatingSystem;

/** How many processes and threads the host runs. */
public final class ProcessCollector implements Collector {

  /** One reading. */
  record Counts(int processes, int threads) {
  }

  private OperatingSystem os;

  public ProcessCollector() {
  }

  @Override
  public String name() {
    return "processes";
  }

  @Override
  public int defaultIntervalSeconds() {
    return 15;
  }

  @Override
  public void init(CollectorContext context) {
    os = context.systemInfo().getOperatingSystem();
  }

  @Override
  public List<Sample> collect(long now) {
    return samples(new Counts(os.getProcessCount(), os.getThreadCount()), now);
  }

  static List<Sample> samples(Counts counts, long now) {
    return List.of(
        Sample.of("processes.count", counts.processes(), now),
        Sample.of("threads.count", counts.threads(), now));
  }
}
