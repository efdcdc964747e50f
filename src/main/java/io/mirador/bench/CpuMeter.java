package io.mirador.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** CPU time of processes from /proc/&lt;pid&gt;/stat (user + system, in clock ticks of 10 ms), read at two instants. */
final class CpuMeter {

  private static final double TICK_SECONDS = 0.01;

  private final Map<String, Long> pids = new LinkedHashMap<>();
  private final Map<String, Long> startTicks = new LinkedHashMap<>();
  private long startNanos;

  CpuMeter(Map<String, Long> named) {
    pids.put("bench (this JVM)", ProcessHandle.current().pid());
    pids.putAll(named);
    findByName("redis-server");
    findByName("beam.smp");
  }

  void start() {
    startNanos = System.nanoTime();
    pids.forEach((name, pid) -> startTicks.put(name, ticks(pid)));
  }

  /** Share of one core each process used since {@link #start}, in percent (-1 when it could not be read). */
  Map<String, Double> sinceStart() {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    Map<String, Double> shares = new LinkedHashMap<>();
    pids.forEach((name, pid) -> {
      long before = startTicks.getOrDefault(name, -1L);
      long now = ticks(pid);
      shares.put(name + " [" + pid + "]", before < 0 || now < 0 ? -1 : (now - before) * TICK_SECONDS / seconds * 100);
    });
    return shares;
  }

  static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private void findByName(String comm) {
    if (pids.containsKey(comm)) {
      return;
    }
    try (var dirs = Files.list(Path.of("/proc"))) {
      dirs.filter(dir -> dir.getFileName().toString().chars().allMatch(Character::isDigit))
          .filter(dir -> {
            try {
              return Files.readString(dir.resolve("comm")).trim().equals(comm);
            } catch (IOException e) {
              return false;
            }
          })
          .findFirst()
          .ifPresent(dir -> pids.put(comm, Long.parseLong(dir.getFileName().toString())));
    } catch (IOException e) {
      // no /proc: nothing to report
    }
  }

  private static long ticks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // fields after the command name (in parentheses, which may hold spaces): state is field 3, utime 14, stime 15
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
