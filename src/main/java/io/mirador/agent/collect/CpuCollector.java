package io.mirador.agent.collect;

import static io.mirador.agent.collect.Rates.percent;

import io.mirador.model.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import oshi.hardware.CentralProcessor;
import oshi.hardware.CentralProcessor.TickType;

/**
 * How the CPUs spent the time since the previous collection, from the kernel's tick counters
 * ({@link CentralProcessor#getSystemCpuLoadTicks()} and {@link CentralProcessor#getProcessorCpuLoadTicks()}).
 *
 * <p>Of the ticks counted between two collections, summed over all eight kinds as {@code total}, every metric is a
 * percentage of {@code total} (0–100):
 * <ul>
 *   <li>{@code cpu.user} = user + nice: running processes in user mode, niced ones included;
 *   <li>{@code cpu.system} = system + irq + softirq: the kernel, interrupt handling included;
 *   <li>{@code cpu.iowait} = iowait: idle while a disk request of this CPU was outstanding;
 *   <li>{@code cpu.steal} = steal: a virtual CPU that wanted to run while the hypervisor ran someone else;
 *   <li>{@code cpu.usage} = 100 − idle − iowait, which is exactly user + system + steal: the share of time the CPU
 *       was not available for new work. Reported for {@code cpu=total} and for each logical core ({@code cpu=0},
 *       {@code cpu=1}, …); the others only for {@code cpu=total}.
 * </ul>
 * The first collection has nothing to compare with and returns no samples. A tick counter that went backwards counts
 * as zero for that round (the kernel documents that iowait can decrease); a round in which no tick passed, or in
 * which the number of cores changed, skips the affected samples.
 */
public final class CpuCollector implements Collector {

  private static final Map<String, String> TOTAL = Map.of("cpu", "total");
  private static final int USER = TickType.USER.getIndex();
  private static final int NICE = TickType.NICE.getIndex();
  private static final int SYSTEM = TickType.SYSTEM.getIndex();
  private static final int IDLE = TickType.IDLE.getIndex();
  private static final int IOWAIT = TickType.IOWAIT.getIndex();
  private static final int IRQ = TickType.IRQ.getIndex();
  private static final int SOFTIRQ = TickType.SOFTIRQ.getIndex();
  private static final int STEAL = TickType.STEAL.getIndex();

  /** Cumulative ticks indexed by {@link TickType#getIndex()}: for the whole machine and per logical core. */
  record Ticks(long[] total, long[][] perCore) {
  }

  private CentralProcessor processor;
  private Ticks previous;

  public CpuCollector() {
  }

  @Override
  public String name() {
    return "cpu";
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
    Ticks current = new Ticks(processor.getSystemCpuLoadTicks(), processor.getProcessorCpuLoadTicks());
    List<Sample> samples = samples(previous, current, now);
    previous = current;
    return samples;
  }

  /** The samples for the ticks between {@code previous} (null on the first call) and {@code current}. */
  static List<Sample> samples(Ticks previous, Ticks current, long now) {
    if (previous == null) {
      return List.of();
    }
    List<Sample> out = new ArrayList<>();
    long[] delta = delta(previous.total(), current.total());
    long total = sum(delta);
    if (total > 0) {
      out.add(Sample.of("cpu.usage", TOTAL, percent(busy(delta), total), now));
      out.add(Sample.of("cpu.user", TOTAL, percent(delta[USER] + delta[NICE], total), now));
      out.add(Sample.of("cpu.system", TOTAL, percent(delta[SYSTEM] + delta[IRQ] + delta[SOFTIRQ], total), now));
      out.add(Sample.of("cpu.iowait", TOTAL, percent(delta[IOWAIT], total), now));
      out.add(Sample.of("cpu.steal", TOTAL, percent(delta[STEAL], total), now));
    }
    if (previous.perCore().length == current.perCore().length) {
      for (int core = 0; core < current.perCore().length; core++) {
        long[] coreDelta = delta(previous.perCore()[core], current.perCore()[core]);
        long coreTotal = sum(coreDelta);
        if (coreTotal > 0) {
          out.add(Sample.of("cpu.usage", Map.of("cpu", Integer.toString(core)), percent(busy(coreDelta), coreTotal), now));
        }
      }
    }
    return out;
  }

  /** Per-kind tick deltas, negative ones counted as zero; all zero when the arrays do not line up. */
  private static long[] delta(long[] previous, long[] current) {
    long[] delta = new long[TickType.values().length];
    if (previous.length != delta.length || current.length != delta.length) {
      return delta;
    }
    for (int i = 0; i < delta.length; i++) {
      delta[i] = Math.max(0, current[i] - previous[i]);
    }
    return delta;
  }

  private static long busy(long[] delta) {
    return sum(delta) - delta[IDLE] - delta[IOWAIT];
  }

  private static long sum(long[] delta) {
    long sum = 0;
    for (long ticks : delta) {
      sum += ticks;
    }
    return sum;
  }
}
