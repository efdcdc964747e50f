package io.mirador.bench;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The options of {@code mirador bench}, parsed and checked; {@link #parse} throws {@link BadOptionException} with the reason. */
public record BenchOptions(
    String hubUrl,
    String amqpUrl,
    int agents,
    int metrics,
    double intervalSeconds,
    double durationSeconds,
    double warmupSeconds,
    boolean saturate,
    int window,
    int connections,
    int probeIntervalMs,
    double drainSeconds,
    String runId,
    Map<String, Long> cpuPids,
    String enrollToken,
    int alertProbes,
    int alertIntervalMs,
    int alertPort) {

  /** A command-line mistake: printed with the usage, exit code 2. */
  public static final class BadOptionException extends Exception {
    public BadOptionException(String message) {
      super(message);
    }
  }

  private record Flag(String name, String argument, String help) {
  }

  static final List<Flag> FLAGS = List.of(
      new Flag("--hub-url", "URL[,URL...]", "the hub's HTTP base URL, for /metrics and the API (default http://127.0.0.1:8080; the API token in $MIRADOR_TOKEN); "
          + "several hub nodes: their stored counts are summed"),
      new Flag("--amqp-url", "URL", "broker the simulated agents publish to (default $MIRADOR_AMQP_URL or amqp://guest:guest@127.0.0.1:5672)"),
      new Flag("--agents", "N", "simulated agents (default 1000)"),
      new Flag("--metrics", "M", "samples per metrics event of one agent (default 100)"),
      new Flag("--interval", "SECONDS", "each agent sends one event per interval, spread evenly (default 10; ignored with --saturate)"),
      new Flag("--duration", "SECONDS", "measured time after the warm-up (default 60)"),
      new Flag("--warmup", "SECONDS", "time sent but not measured, first (default 5)"),
      new Flag("--saturate", null, "send as fast as the hub stores, with at most --window events sent and not yet stored"),
      new Flag("--window", "N", "events in flight: unconfirmed by the broker, and with --saturate also not yet stored (default 1000)"),
      new Flag("--connections", "N", "AMQP connections (one confirm channel and one publishing thread each; default 4)"),
      new Flag("--probe-interval", "MS", "a latency probe every this many ms (default 250)"),
      new Flag("--drain", "SECONDS", "after sending stops, wait at most this long for the hub to store what was sent (default 30)"),
      new Flag("--enroll-token", "TOKEN", "enroll the simulated agents with this token (the hub's MIRADOR_ENROLL_TOKEN) and "
          + "authenticate every envelope, as real agents do; without it they publish unauthenticated (hub.agents.authenticate: false)"),
      new Flag("--run-id", "ID", "agent ids are bench-<ID>-<n> (default random)"),
      new Flag("--cpu-pids", "NAME=PID,...", "processes whose CPU to report besides this one; redis-server and beam.smp are found by name"),
      new Flag("--alert-probes", "N", "also measure sample → webhook alert latency: N alerts, each a new series crossing a "
          + "`for: 0s` rule, received by a webhook server of the bench (default 0: off; see AlertProbe)"),
      new Flag("--alert-interval", "MS", "one alert probe every this many ms (default 200)"),
      new Flag("--alert-port", "PORT", "loopback port of the bench's webhook receiver and of its /metrics for a Prometheus "
          + "beside the hub (default 18099)"),
      new Flag("--help", null, "print this help and exit"));

  public static BenchOptions defaults() {
    String amqp = System.getenv().getOrDefault("MIRADOR_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672");
    return new BenchOptions("http://127.0.0.1:8080", amqp, 1000, 100, 10, 60, 5, false, 1000, 4, 250, 30,
        UUID.randomUUID().toString().substring(0, 8), Map.of(), null, 0, 200, 18099);
  }

  /** Returns null when --help was asked for. */
  public static BenchOptions parse(List<String> args) throws BadOptionException {
    BenchOptions o = defaults();
    String hubUrl = o.hubUrl;
    String amqpUrl = o.amqpUrl;
    int agents = o.agents;
    int metrics = o.metrics;
    double interval = o.intervalSeconds;
    double duration = o.durationSeconds;
    double warmup = o.warmupSeconds;
    boolean saturate = false;
    int window = o.window;
    int connections = o.connections;
    int probeInterval = o.probeIntervalMs;
    double drain = o.drainSeconds;
    String runId = o.runId;
    Map<String, Long> cpuPids = new LinkedHashMap<>();
    String enrollToken = null;
    int alertProbes = o.alertProbes;
    int alertInterval = o.alertIntervalMs;
    int alertPort = o.alertPort;
    Deque<String> rest = new ArrayDeque<>(args);
    while (!rest.isEmpty()) {
      String arg = rest.pollFirst();
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        value = arg.substring(eq + 1);
        arg = arg.substring(0, eq);
      }
      String name = arg;
      Flag flag = FLAGS.stream().filter(f -> f.name.equals(name)).findFirst()
          .orElseThrow(() -> new BadOptionException("unknown option '" + name + "'"));
      if (flag.argument == null) {
        if (value != null) {
          throw new BadOptionException(name + " takes no value");
        }
        if (name.equals("--help")) {
          return null;
        }
        saturate = true;
        continue;
      }
      if (value == null) {
        value = rest.pollFirst();
      }
      if (value == null || value.isBlank()) {
        throw new BadOptionException(name + " needs " + flag.argument);
      }
      switch (name) {
        case "--hub-url" -> {
          // several hub nodes: /metrics of each, summed; the first answers the latency probe's reads
          List<String> urls = new ArrayList<>();
          for (String one : value.split(",")) {
            urls.add(url(name, one.strip(), "http://", "https://"));
          }
          hubUrl = String.join(",", urls);
        }
        case "--amqp-url" -> amqpUrl = url(name, value, "amqp://", "amqps://");
        case "--agents" -> agents = integer(name, value, 1, 1_000_000);
        case "--metrics" -> metrics = integer(name, value, 1, 10_000);
        case "--interval" -> interval = decimal(name, value, 0.001, 86_400);
        case "--duration" -> duration = decimal(name, value, 0.1, 86_400);
        case "--warmup" -> warmup = decimal(name, value, 0, 3_600);
        case "--window" -> window = integer(name, value, 1, 1_000_000);
        case "--connections" -> connections = integer(name, value, 1, 64);
        case "--probe-interval" -> probeInterval = integer(name, value, 10, 60_000);
        case "--drain" -> drain = decimal(name, value, 0, 3_600);
        case "--enroll-token" -> enrollToken = value;
        case "--run-id" -> {
          if (!value.matches("[A-Za-z0-9_-]{1,20}")) {
            throw new BadOptionException("--run-id must be 1 to 20 of [A-Za-z0-9_-], got '" + value + "'");
          }
          runId = value;
        }
        case "--cpu-pids" -> {
          for (String pair : value.split(",")) {
            String[] kv = pair.split("=", 2);
            if (kv.length != 2 || kv[0].isBlank()) {
              throw new BadOptionException("--cpu-pids needs NAME=PID pairs, got '" + pair + "'");
            }
            cpuPids.put(kv[0], (long) integer("--cpu-pids", kv[1], 1, Integer.MAX_VALUE));
          }
        }
        case "--alert-probes" -> alertProbes = integer(name, value, 0, 100_000);
        case "--alert-interval" -> alertInterval = integer(name, value, 1, 60_000);
        case "--alert-port" -> alertPort = integer(name, value, 1, 65_535);
        default -> throw new BadOptionException("unknown option '" + name + "'");
      }
    }
    return new BenchOptions(hubUrl, amqpUrl, agents, metrics, interval, duration, warmup, saturate, window,
        Math.min(connections, agents), probeInterval, drain, runId, Map.copyOf(cpuPids), enrollToken, alertProbes, alertInterval, alertPort);
  }

  /** Samples per second offered in interval mode. */
  public double offeredSamplesPerSecond() {
    return agents * (double) metrics / intervalSeconds;
  }

  public static String usage() {
    StringBuilder out = new StringBuilder("""
        Usage: java -jar mirador.jar bench [OPTIONS]

        Load generator for a running hub on RabbitMQ: simulated agents publish metrics envelopes (per-agent
        seq, persistent, with publisher confirms) to mirador.ingest; reports samples/s sent and stored (from
        the hub's /metrics), the latency from publish to readable in /api/v1/agents/{id}/latest (p50/p99),
        and the CPU of each process. Exit code 0 when the run completes, 1 when it cannot, 2 on a bad option.

        Options:
        """);
    for (Flag flag : FLAGS) {
      String left = flag.argument == null ? flag.name : flag.name + " " + flag.argument;
      out.append(String.format("  %-26s %s%n", left, flag.help));
    }
    return out.toString();
  }

  private static int integer(String name, String value, int min, int max) throws BadOptionException {
    try {
      int n = Integer.parseInt(value.trim());
      if (n < min || n > max) {
        throw new BadOptionException(name + " must be between " + min + " and " + max + ", got " + n);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new BadOptionException(name + " needs a whole number, got '" + value + "'");
    }
  }

  private static double decimal(String name, String value, double min, double max) throws BadOptionException {
    try {
      double n = Double.parseDouble(value.trim());
      if (!(n >= min && n <= max)) {
        throw new BadOptionException(name + " must be between " + min + " and " + max + ", got " + value);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new BadOptionException(name + " needs a number, got '" + value + "'");
    }
  }

  private static String url(String name, String value, String... schemes) throws BadOptionException {
    for (String scheme : schemes) {
      if (value.startsWith(scheme)) {
        return value.endsWith("/") && scheme.startsWith("http") ? value.substring(0, value.length() - 1) : value;
      }
    }
    throw new BadOptionException(name + " must start with " + String.join(" or ", schemes) + ", got '" + value + "'");
  }
}
