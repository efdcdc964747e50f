package io.mirador.agent.collect;

import static io.mirador.agent.collect.SampleLookup.names;
import static io.mirador.agent.collect.SampleLookup.value;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mirador.agent.collect.FilesystemCollector.Store;
import io.mirador.model.MetricsBatch;
import io.mirador.model.Sample;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FilesystemCollectorTest {

  private static final long NOW = 1_700_000_000_000L;
  private static final Map<String, String> ROOT = Map.of("mount", "/", "device", "/dev/sda1", "type", "ext4");

  private static Store ext4(String mount, String device) {
    return new Store(mount, device, "ext4", 1_000, 300, 250, 100, 40);
  }

  private static Set<String> mounts(List<Sample> samples) {
    return samples.stream().map(s -> s.tags().get("mount")).collect(java.util.stream.Collectors.toSet());
  }

  @Test
  void spaceAndInodesAsDfCountsThem() {
    List<Sample> samples = FilesystemCollector.samples(List.of(ext4("/", "/dev/sda1")), NOW);

    assertEquals(1_000.0, value(samples, "fs.total", ROOT));
    assertEquals(700.0, value(samples, "fs.used", ROOT), "total - free blocks");
    assertEquals(250.0, value(samples, "fs.free", ROOT), "usable by non-root");
    assertEquals(100.0 * 700 / 950, value(samples, "fs.used_pct", ROOT), 1e-9, "used / (used + usable)");
    assertEquals(100.0, value(samples, "fs.inodes.total", ROOT));
    assertEquals(60.0, value(samples, "fs.inodes.used", ROOT));
    assertEquals(40.0, value(samples, "fs.inodes.free", ROOT));
    assertEquals(60.0, value(samples, "fs.inodes.used_pct", ROOT), 1e-9);
    assertEquals(8, samples.size());
  }

  @Test
  void filesystemWithoutInodeTableHasNoInodeSamples() {
    List<Sample> samples = FilesystemCollector.samples(List.of(new Store("/data", "/dev/sdb", "btrfs", 500, 100, 100, 0, 0)), NOW);

    assertEquals(Set.of("fs.total", "fs.used", "fs.free", "fs.used_pct"), names(samples));
    assertEquals(80.0, value(samples, "fs.used_pct", Map.of("mount", "/data", "device", "/dev/sdb", "type", "btrfs")), 1e-9);
  }

  @Test
  void pseudoMemoryAndImageFilesystemsAreSkipped() {
    List<Store> stores = List.of(
        ext4("/", "/dev/sda1"),
        new Store("/run", "tmpfs", "tmpfs", 1_000, 900, 900, 100, 90),
        new Store("/proc", "proc", "proc", 1, 1, 1, 1, 1),
        new Store("/sys/fs/cgroup", "cgroup2", "cgroup2", 1, 1, 1, 1, 1),
        new Store("/snap/core/1", "/dev/loop3", "squashfs", 100, 0, 0, 10, 0),
        new Store("/mnt/image", "/dev/loop4", "ext4", 100, 50, 50, 10, 5),
        new Store("/var/lib/docker/overlay2/x/merged", "overlay", "overlay", 1_000, 300, 250, 100, 40),
        new Store("/empty", "none", "ext4", 0, 0, 0, 0, 0));

    List<Sample> samples = FilesystemCollector.samples(stores, NOW);

    assertEquals(Set.of("/", "/var/lib/docker/overlay2/x/merged"), mounts(samples));
  }

  @Test
  void mountedOverMountIsReportedOnceAsTheLastMount() {
    List<Store> stores = List.of(ext4("/", "/dev/sda1"), ext4("/home", "/dev/sda2"), ext4("/home", "/dev/sdb1"));

    List<Sample> samples = FilesystemCollector.samples(stores, NOW);

    assertEquals(16, samples.size());
    assertEquals(1_000.0, value(samples, "fs.total", Map.of("mount", "/home", "device", "/dev/sdb1", "type", "ext4")));
  }

  @Test
  void pseudoFilesystemMountedOverADiskHidesIt() {
    List<Store> stores = List.of(ext4("/tmp", "/dev/sda3"), new Store("/tmp", "tmpfs", "tmpfs", 1_000, 900, 900, 100, 90));

    assertEquals(List.of(), FilesystemCollector.samples(stores, NOW));
  }

  @Test
  void overlongMountPathIsCutToWhatTheWireAccepts() {
    String mount = "/" + "m".repeat(300);

    List<Sample> samples = FilesystemCollector.samples(List.of(ext4(mount, "/dev/sdc1")), NOW);

    assertEquals(256, samples.get(0).tags().get("mount").length());
    new MetricsBatch(samples).validate();
  }

  @Test
  void reportsAtMostMaxFilesystems() {
    List<Store> stores = java.util.stream.IntStream.range(0, FilesystemCollector.MAX_FILESYSTEMS + 10)
        .mapToObj(i -> ext4("/mnt/" + i, "/dev/sd" + i)).toList();

    assertEquals(FilesystemCollector.MAX_FILESYSTEMS, mounts(FilesystemCollector.samples(stores, NOW)).size());
  }
}
