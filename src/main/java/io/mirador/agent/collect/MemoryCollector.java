package io.mirador.agent.collect;

import static io.mirador.agent.collect.Rates.percent;

import io.mirador.model.Sample;
import java.util.ArrayList;
import java.util.List;
import oshi.hardware.GlobalMemory;
import oshi.hardware.VirtualMemory;

/**
 * Physical memory and swap, in bytes and percent.
 *
 * <p>{@code memory.used} = total − available, where available is the kernel's estimate of memory that can be given to
 * new work without swapping (page cache and reclaimable slabs count as available); {@code memory.used_pct} =
 * 100 × used / total. {@code swap.used_pct} = 100 × swap used / swap total, and 0 on a host without swap.
 */
public final class MemoryCollector implements Collector {

  /** One reading, in bytes. */
  record Reading(long total, long available, long swapTotal, long swapUsed) {
  }

  private GlobalMemory memory;

  public MemoryCollector() {
  }

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public int defaultIntervalSeconds() {
    return 5;
  }

  @Override
  public void init(CollectorContext context) {
    memory = context.systemInfo().getHardware().getMemory();
  }

  @Override
  public List<Sample> collect(long now) {
    VirtualMemory swap = memory.getVirtualMemory();
    return samples(new Reading(memory.getTotal(), memory.getAvailable(), swap.getSwapTotal(), swap.getSwapUsed()), now);
  }

  static List<Sample> samples(Reading reading, long now) {
    List<Sample> out = new ArrayList<>();
    if (reading.total() > 0) {
      long used = Math.max(0, reading.total() - reading.available());
      out.add(Sample.of("memory.total", reading.total(), now));
      out.add(Sample.of("memory.used", used, now));
      out.add(Sample.of("memory.available", reading.available(), now));
      out.add(Sample.of("memory.used_pct", percent(used, reading.total()), now));
    }
    out.add(Sample.of("swap.total", reading.swapTotal(), now));
    out.add(Sample.of("swap.used", reading.swapUsed(), now));
    out.add(Sample.of("swap.used_pct", reading.swapTotal() > 0 ? percent(reading.swapUsed(), reading.swapTotal()) : 0, now));
    return out;
  }
}
