package io.mirador.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.mirador.Addresses;
import io.mirador.agent.exec.CommandResult;
import io.mirador.agent.exec.CommandRunner;
import io.mirador.agent.exec.CommandSpec;
import io.mirador.config.Settings;
import io.mirador.metrics.Meters;
import io.mirador.model.Command;
import io.mirador.model.Envelope;
import io.mirador.model.EventType;
import io.mirador.model.JobResult;
import io.mirador.model.LogLine;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the hub's remote jobs on this agent ({@code job} and {@code cancel} commands, from {@link AgentEngineVerticle}).
 *
 * <p>A job's script is written to a file of its own (mode 0700) in the data directory and run by its interpreter,
 * which must be on {@code agent.jobs.interpreters}, through the {@link CommandRunner}: minimal environment plus the
 * job's variables and {@code MIRADOR_JOB_ID}, {@code MIRADOR_AGENT_ID}, {@code MIRADOR_AGENT_HOSTNAME}; the whole
 * process tree killed at the timeout or on cancel; output capped. Every line is streamed as a {@code log} event (source
 * {@code job:<id>}, level stdout or stderr) in order, then one {@code result} event ends the run.
 *
 * <p>At most {@code agent.jobs.maxConcurrent} run at once; more wait in a bounded queue. A job id is remembered
 * (in {@value #DONE_FILE} in the data directory, the newest {@value #MAX_REMEMBERED}) before it starts, so a redelivered
 * command — after a broker or hub restart — never runs a second time: it is answered with a result saying so.
 */
final class AgentJobs {

  /** Counter reported in heartbeats: jobs running now (the heartbeat's {@code busy} is this above zero). */
  static final String RUNNING_COUNTER = "jobs_running";
  static final String DONE_FILE = "jobs-done";
  static final int MAX_REMEMBERED = 10_000;
  private static final int MAX_QUEUED = 1_000;
  private static final int MAX_LINES_STREAMED = 2_000;

  private static final Logger LOG = LoggerFactory.getLogger(AgentJobs.class);

  private final Vertx vertx;
  private final String agentId;
  private final String configuredHostname;
  private volatile String hostname;
  private final Path dataDir;
  private final boolean enabled;
  private final int maxConcurrent;
  private final int maxOutputBytes;
  private final Set<String> interpreters;
  private final CommandRunner runner;
  private final WorkerExecutor executor;
  private final LinkedHashSet<String> remembered = new LinkedHashSet<>();
  private final ArrayDeque<Command> queue = new ArrayDeque<>();
  private final Map<String, Thread> running = new HashMap<>();
  private final Set<String> cancelled = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final AtomicInteger active = new AtomicInteger();
  private final LongAdder refused;
  private final LongAdder repeats;
  private final LongAdder linesDropped;

  AgentJobs(Vertx vertx, JsonObject config) {
    this.vertx = vertx;
    AgentConfig agent = AgentConfig.of(config);
    this.agentId = agent.id();
    this.configuredHostname = agent.hostname();
    this.dataDir = Path.of(agent.dataDir());
    JsonObject jobs = Settings.section(config, "agent", "jobs");
    this.enabled = jobs.getBoolean("enabled", true);
    this.maxConcurrent = Settings.positiveInt(jobs, "maxConcurrent", 4);
    this.maxOutputBytes = Settings.positiveInt(jobs, "maxOutputBytes", 64 * 1024);
    JsonArray allowed = jobs.getJsonArray("interpreters", new JsonArray(List.of("/bin/sh", "/bin/bash", "/usr/bin/env")));
    this.interpreters = new LinkedHashSet<>();
    allowed.forEach(i -> interpreters.add(String.valueOf(i)));
    // a job legitimately holds its thread for as long as its timeout
    this.executor = vertx.createSharedWorkerExecutor("mirador-jobs-" + agentId, maxConcurrent, 24, TimeUnit.HOURS);
    this.runner = new CommandRunner(vertx, "jobs-" + agentId, executor, maxConcurrent);
    Meters meters = Meters.of(vertx);
    refused = meters.counter("mirador_agent_jobs_refused_total", "Jobs refused by this agent (malformed, off, interpreter not allowed, queue full)");
    repeats = meters.counter("mirador_agent_jobs_repeated_total", "Job commands received again for a job this agent had run, not run again");
    linesDropped = meters.counter("mirador_agent_job_lines_dropped_total", "Output lines not streamed beyond the per-job limit (the result carries the output)");
  }

  /** Reads the remembered job ids from the data directory. */
  Future<Void> start() {
    return vertx.executeBlocking(() -> {
      hostname = configuredHostname.isBlank() ? java.net.InetAddress.getLocalHost().getHostName() : configuredHostname;
      Path file = dataDir.resolve(DONE_FILE);
      if (Files.exists(file)) {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          if (!line.isBlank()) {
            remembered.add(line.trim());
          }
        }
      }
      return null;
    });
  }

  Future<Void> close() {
    synchronized (running) {
      running.values().forEach(Thread::interrupt);
    }
    return executor.close();
  }

  void job(Envelope envelope) {
    Command command = envelope.body(Command.class);
    String jobId = command.id();
    if (!enabled) {
      refuse(jobId, "jobs are off on this agent (agent.jobs.enabled)");
      return;
    }
    if (remembered.contains(jobId) || queue.stream().anyMatch(c -> c.id().equals(jobId))) {
      repeats.increment();
      LOG.info("job {} received again: already run on this agent, not run twice", jobId);
      return; // the first run's result is (or will be) in the outbox; nothing more to say
    }
    if (active.get() >= maxConcurrent) {
      if (queue.size() >= MAX_QUEUED) {
        refuse(jobId, "agent busy: " + MAX_QUEUED + " jobs waiting");
        return;
      }
      queue.addLast(command);
      return;
    }
    start(command);
  }

  void cancel(Envelope envelope) {
    Command command = envelope.body(Command.class);
    String jobId = command.payload() != null && command.payload().hasNonNull("job") ? command.payload().get("job").asText() : command.id();
    if (queue.removeIf(c -> c.id().equals(jobId))) {
      remember(jobId).onComplete(done -> send(EventType.RESULT, new JobResult(jobId, "cancelled", null, "", now(), now(), "cancelled before it started")));
      return;
    }
    Thread thread;
    synchronized (running) {
      thread = running.get(jobId);
    }
    if (thread != null) {
      cancelled.add(jobId);
      thread.interrupt(); // the runner kills the tree at once
    }
  }

  private void start(Command command) {
    String jobId = command.id();
    Spec spec;
    try {
      spec = Spec.of(command.payload(), interpreters);
    } catch (IllegalArgumentException e) {
      refuse(jobId, "malformed job: " + e.getMessage());
      return;
    }
    active.incrementAndGet();
    AgentHeartbeatVerticle.report(vertx, agentId, RUNNING_COUNTER, active.get());
    String source = "job:" + jobId;
    AtomicInteger streamed = new AtomicInteger();
    StringBuilder stderr = new StringBuilder();
    long startedAt = now();
    remember(jobId).compose(v -> executor.executeBlocking(() -> {
      Path script = Files.createTempFile(dataDir, "job-", ".script",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      synchronized (running) {
        running.put(jobId, Thread.currentThread());
      }
      try {
        Files.writeString(script, spec.script, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        List<String> argv = new ArrayList<>();
        argv.add(spec.interpreter);
        argv.add(script.toString());
        argv.addAll(spec.args);
        Map<String, String> env = new HashMap<>(spec.env);
        env.put("MIRADOR_JOB_ID", jobId);
        env.put("MIRADOR_AGENT_ID", agentId);
        env.put("MIRADOR_AGENT_HOSTNAME", hostname);
        CommandSpec run = CommandSpec.ofArgv(argv, Duration.ofSeconds(spec.timeoutSeconds)).withEnv(env).withMaxOutputBytes(maxOutputBytes)
            .withMergeStderr(false).withWorkingDir(dataDir);
        return runner.runBlocking(run, (isErr, line) -> {
          if (isErr) {
            synchronized (stderr) {
              if (stderr.length() < maxOutputBytes) {
                stderr.append(line, 0, Math.min(line.length(), maxOutputBytes - stderr.length())).append('\n');
              }
            }
          }
          if (streamed.incrementAndGet() > MAX_LINES_STREAMED) {
            linesDropped.increment();
            return;
          }
          String cut = line.length() > LogLine.MAX_LINE ? line.substring(0, LogLine.MAX_LINE) : line;
          send(EventType.LOG, new LogLine(source, isErr ? "stderr" : "stdout", cut, now()));
        });
      } finally {
        synchronized (running) {
          running.remove(jobId);
        }
        Thread.interrupted(); // a cancel that came as the run ended must not reach the next job on this thread
        Files.deleteIfExists(script);
      }
    }, false)).onComplete(done -> {
      active.decrementAndGet();
      AgentHeartbeatVerticle.report(vertx, agentId, RUNNING_COUNTER, active.get());
      JobResult result;
      String err;
      synchronized (stderr) {
        err = stderr.toString();
      }
      if (done.failed()) {
        result = new JobResult(jobId, "failed", null, "", startedAt, now(), "could not run: " + done.cause().getMessage());
      } else {
        CommandResult ran = done.result();
        String state;
        if (cancelled.remove(jobId)) {
          state = "cancelled";
        } else if (ran.timedOut()) {
          state = "timed_out";
          err = err + CommandResult.timedOutMessage(Duration.ofSeconds(spec.timeoutSeconds)) + "\n";
        } else if (ran.succeeded()) {
          state = "succeeded";
        } else {
          state = "failed";
          if (ran.error() != null) {
            err = err + ran.error() + "\n";
          }
        }
        long endedAt = now();
        result = new JobResult(jobId, state, ran.exitCode(), ran.output(), endedAt - ran.duration().toMillis(), endedAt, err);
      }
      send(EventType.RESULT, result);
      Command next = queue.pollFirst();
      if (next != null) {
        start(next);
      }
    });
  }

  private void refuse(String jobId, String why) {
    refused.increment();
    AgentHeartbeatVerticle.report(vertx, agentId, "jobs_refused", (long) refused.sum());
    LOG.warn("job {} refused: {}", jobId, why);
    long now = now();
    remember(jobId).onComplete(done -> send(EventType.RESULT, new JobResult(jobId, "failed", null, "", now, now, why)));
  }

  /** Adds the job to the remembered ids, on disk before the run starts; the oldest half is dropped beyond the bound. */
  private Future<Void> remember(String jobId) {
    remembered.add(jobId);
    boolean rewrite = remembered.size() > MAX_REMEMBERED;
    if (rewrite) {
      var it = remembered.iterator();
      for (int i = 0; i < MAX_REMEMBERED / 2 && it.hasNext(); i++) {
        it.next();
        it.remove();
      }
    }
    List<String> snapshot = rewrite ? List.copyOf(remembered) : null;
    Path file = dataDir.resolve(DONE_FILE);
    return vertx.executeBlocking(() -> {
      if (snapshot != null) {
        Path next = file.resolveSibling(DONE_FILE + ".new");
        Files.write(next, snapshot, StandardCharsets.UTF_8);
        Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      } else {
        Files.writeString(file, jobId + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
            StandardOpenOption.SYNC);
      }
      return null;
    }, true).recover(e -> {
      LOG.warn("job {} not remembered on disk ({}): a redelivery after a restart could run it again", jobId, e.toString());
      return Future.succeededFuture();
    }).mapEmpty();
  }

  private void send(EventType type, io.mirador.model.EventBody body) {
    vertx.eventBus().send(Addresses.agentOutbox(agentId), new Envelope(Envelope.VERSION, type, agentId, 0, now(), body));
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  /** The job's payload, read strictly: what is wrong is said in the result. */
  private record Spec(String script, String interpreter, List<String> args, Map<String, String> env, int timeoutSeconds) {

    static Spec of(JsonNode payload, Set<String> interpreters) {
      if (payload == null || !payload.isObject()) {
        throw new IllegalArgumentException("no payload");
      }
      JsonNode script = payload.get("script");
      if (script == null || !script.isTextual() || script.asText().isBlank()) {
        throw new IllegalArgumentException("empty script");
      }
      String interpreter = payload.hasNonNull("interpreter") ? payload.get("interpreter").asText() : "/bin/sh";
      if (!interpreters.contains(interpreter)) {
        throw new IllegalArgumentException("interpreter " + interpreter + " is not allowed here (agent.jobs.interpreters: " + interpreters + ")");
      }
      JsonNode timeout = payload.get("timeout");
      if (timeout == null || !timeout.canConvertToInt() || timeout.asInt() < 1) {
        throw new IllegalArgumentException("timeout must be a positive number of seconds");
      }
      List<String> args = new ArrayList<>();
      JsonNode argsNode = payload.get("args");
      if (argsNode != null && !argsNode.isNull()) {
        if (!argsNode.isArray()) {
          throw new IllegalArgumentException("args must be a list");
        }
        argsNode.forEach(a -> args.add(a.asText()));
      }
      Map<String, String> env = new HashMap<>();
      JsonNode envNode = payload.get("env");
      if (envNode != null && !envNode.isNull()) {
        if (!envNode.isObject()) {
          throw new IllegalArgumentException("env must be an object");
        }
        envNode.fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
      }
      return new Spec(script.asText(), interpreter, args, env, timeout.asInt());
    }
  }
}
