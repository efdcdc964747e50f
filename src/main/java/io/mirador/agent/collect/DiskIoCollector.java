package io.mirador.agent.collect;

import static io.mirador.agent.collect.Rates.addPerSecond;
import static io.mirador.agent.collect.Rates.percent;

import io.mirador.model.Sample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import oshi.hardware.HWDiskStore;

/**
 * Read and write activity of each physical disk ({@link HWDiskStore}), tagged {@code disk} with the device name
 * without {@code /dev/}.
 *
 * <p>Rates per second over the time between two collections: {@code disk.read_bytes}, {@code disk.write_bytes},
 * {@code disk.reads}, {@code disk.writes} (completed operations). {@code disk.busy_pct} = 100 × the time the disk
 * spent doing I/O / the time that passed ({@code %util} of {@code iostat}), at most 100. The first collection and
 * the first after a disk appears report nothing for it; a counter that went backwards skips that value for the
 * round (see {@link Rates}). Memory-backed and loop devices ({@code loop*}, {@code ram*}, {@code zram*}) are left
 * out; at most {@link #MAX_DISKS} disks are reported.
 */
public final class DiskIoCollector implements Collector {

  static final int MAX_DISKS = 256;

  private static final Pattern NOT_A_DISK = Pattern.compile("(loop|ram|zram)\\d+");
  private static final String DEV = "/dev/";

  /** One disk's cumulative counters; transfer time in ms. */
  record Counters(long reads, long readBytes, long writes, long writeBytes, long transferTimeMs) {
  }

  private DeviceHandles<HWDiskStore> disks;
  private Map<String, Counters> previous = Map.of();
  private long previousNanos;

  public DiskIoCollector() {
  }

  @Override
  public String name() {
    return "diskio";
  }

  @Override
  public int defaultIntervalSeconds() {
    return 5;
  }

  @Override
  public void init(CollectorContext context) {
    var hardware = context.systemInfo().getHardware();
    disks = new DeviceHandles<>("disks",
        () -> hardware.getDiskStores().stream().filter(disk -> !NOT_A_DISK.matcher(diskName(disk.getName())).matches()).toList(),
        HWDiskStore::updateAttributes, HWDiskStore::getName, MAX_DISKS);
  }

  @Override
  public List<Sample> collect(long now) {
    long nanos = System.nanoTime();
    Map<String, Counters> current = new LinkedHashMap<>();
    for (HWDiskStore disk : disks.refreshed(nanos)) {
      current.put(diskName(disk.getName()), new Counters(disk.getReads(), disk.getReadBytes(), disk.getWrites(),
          disk.getWriteBytes(), disk.getTransferTime()));
    }
    List<Sample> samples = samples(previous, current, (nanos - previousNanos) / 1_000_000, now);
    previous = current;
    previousNanos = nanos;
    return samples;
  }

  /**
   * Rates for each disk in both {@code previous} and {@code current} (keyed by disk name), read {@code elapsedMs}
   * apart.
   */
  static List<Sample> samples(Map<String, Counters> previous, Map<String, Counters> current, long elapsedMs, long now) {
    List<Sample> out = new ArrayList<>();
    current.forEach((disk, counters) -> {
      Counters before = previous.get(disk);
      if (before == null || elapsedMs <= 0) {
        return;
      }
      Map<String, String> tags = Map.of("disk", disk);
      addPerSecond(out, "disk.read_bytes", tags, before.readBytes(), counters.readBytes(), elapsedMs, now);
      addPerSecond(out, "disk.write_bytes", tags, before.writeBytes(), counters.writeBytes(), elapsedMs, now);
      addPerSecond(out, "disk.reads", tags, before.reads(), counters.reads(), elapsedMs, now);
      addPerSecond(out, "disk.writes", tags, before.writes(), counters.writes(), elapsedMs, now);
      long busyMs = counters.transferTimeMs() - before.transferTimeMs();
      if (busyMs >= 0) {
        out.add(Sample.of("disk.busy_pct", tags, Math.min(100.0, percent(busyMs, elapsedMs)), now));
      }
    });
    return out;
  }

  /** {@code /dev/sda} → {@code sda}; other platforms' names are kept as they are. */
  static String diskName(String name) {
    return name.startsWith(DEV) ? name.substring(DEV.length()) : name;
  }
}
