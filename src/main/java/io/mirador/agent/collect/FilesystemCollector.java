package io.mirador.agent.collect;

import static io.mirador.agent.collect.Rates.percent;

import io.mirador.model.Sample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import oshi.software.os.FileSystem;
import oshi.software.os.OSFileStore;

/**
 * Space and inodes of each local filesystem ({@link FileSystem#getFileStores(boolean) getFileStores(true)}), tagged
 * {@code mount}, {@code device} and {@code type}.
 *
 * <p>Bytes as {@code df} counts them: {@code fs.used} = total − free blocks, {@code fs.free} = space an unprivileged
 * user can still write (the root-reserved blocks excluded), {@code fs.used_pct} = 100 × used / (used + fs.free),
 * {@code df}'s "Use%", which reaches 100 when ordinary users can write no more. Inodes: {@code fs.inodes.used} =
 * total − free, {@code fs.inodes.used_pct} = 100 × used / total; filesystems without a fixed inode table report
 * zero inodes and get no inode samples.
 *
 * <p>Pseudo and memory-backed filesystems ({@link #PSEUDO_TYPES}) and loop-mounted images are left out, as are
 * filesystems with no size. A mount point listed twice (mounted over) is reported once, as the last mount, the one a
 * path there reaches. At most {@link #MAX_FILESYSTEMS} filesystems are reported.
 */
public final class FilesystemCollector implements Collector {

  /** Types that hold no data on a disk: kernel interfaces, memory-backed and read-only image filesystems. */
  static final Set<String> PSEUDO_TYPES = Set.of(
      "autofs", "binfmt_misc", "bpf", "cgroup", "cgroup2", "configfs", "debugfs", "devfs", "devpts", "devtmpfs",
      "efivarfs", "fusectl", "hugetlbfs", "mqueue", "nsfs", "proc", "pstore", "ramfs", "rpc_pipefs", "securityfs",
      "selinuxfs", "squashfs", "sysfs", "tmpfs", "tracefs");

  static final int MAX_FILESYSTEMS = 256;

  /** Tag values longer than the wire allows ({@code Sample}'s limit) would get the whole batch rejected. */
  private static final int MAX_TAG_VALUE = 256;

  /** One filesystem as OSHI reports it; sizes in bytes. */
  record Store(String mount, String device, String type, long totalBytes, long freeBytes, long usableBytes,
      long totalInodes, long freeInodes) {
  }

  private FileSystem fileSystem;

  public FilesystemCollector() {
  }

  @Override
  public String name() {
    return "filesystem";
  }

  @Override
  public int defaultIntervalSeconds() {
    return 30;
  }

  @Override
  public void init(CollectorContext context) {
    fileSystem = context.systemInfo().getOperatingSystem().getFileSystem();
  }

  @Override
  public List<Sample> collect(long now) {
    List<Store> stores = new ArrayList<>();
    for (OSFileStore store : fileSystem.getFileStores(true)) {
      stores.add(new Store(store.getMount(), store.getVolume(), store.getType(), store.getTotalSpace(),
          store.getFreeSpace(), store.getUsableSpace(), store.getTotalInodes(), store.getFreeInodes()));
    }
    return samples(stores, now);
  }

  /** The samples for the filesystems in mount order, after dropping pseudo ones and mounted-over duplicates. */
  static List<Sample> samples(List<Store> stores, long now) {
    Map<String, Store> byMount = new LinkedHashMap<>();
    for (Store store : stores) {
      byMount.remove(store.mount());
      byMount.put(store.mount(), store);
    }
    List<Sample> out = new ArrayList<>();
    int reported = 0;
    for (Store store : byMount.values()) {
      if (reported == MAX_FILESYSTEMS) {
        break;
      }
      if (isReported(store)) {
        addSamples(out, store, now);
        reported++;
      }
    }
    return out;
  }

  private static boolean isReported(Store store) {
    return store.mount() != null
        && store.totalBytes() > 0
        && !PSEUDO_TYPES.contains(store.type())
        && (store.device() == null || !store.device().startsWith("/dev/loop"));
  }

  private static void addSamples(List<Sample> out, Store store, long now) {
    Map<String, String> tags = Map.of(
        "mount", tagValue(store.mount()),
        "device", tagValue(store.device()),
        "type", tagValue(store.type()));
    long used = Math.max(0, store.totalBytes() - store.freeBytes());
    long usable = Math.max(0, store.usableBytes());
    out.add(Sample.of("fs.total", tags, store.totalBytes(), now));
    out.add(Sample.of("fs.used", tags, used, now));
    out.add(Sample.of("fs.free", tags, usable, now));
    if (used + usable > 0) {
      out.add(Sample.of("fs.used_pct", tags, percent(used, used + usable), now));
    }
    if (store.totalInodes() > 0) {
      long freeInodes = Math.max(0, Math.min(store.totalInodes(), store.freeInodes()));
      long usedInodes = store.totalInodes() - freeInodes;
      out.add(Sample.of("fs.inodes.total", tags, store.totalInodes(), now));
      out.add(Sample.of("fs.inodes.used", tags, usedInodes, now));
      out.add(Sample.of("fs.inodes.free", tags, freeInodes, now));
      out.add(Sample.of("fs.inodes.used_pct", tags, percent(usedInodes, store.totalInodes()), now));
    }
  }

  private static String tagValue(String value) {
    if (value == null) {
      return "";
    }
    return value.length() <= MAX_TAG_VALUE ? value : value.substring(0, MAX_TAG_VALUE);
  }
}
