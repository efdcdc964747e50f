package io.mirador.agent;

import io.mirador.Addresses;
import io.mirador.agent.exec.CommandResult;
import io.mirador.agent.exec.CommandRunner;
import io.mirador.agent.exec.CommandSpec;
import io.mirador.agent.exec.parse.LineError;
import io.mirador.agent.exec.parse.OutputFormat;
import io.mirador.agent.exec.parse.Parsed;
import io.mirador.agent.exec.parse.Parsers;
import io.mirador.config.Settings;
import io.mirador.metrics.Meters;
import io.mirador.model.AgentInfo;
import io.mirador.model.CheckDefinition;
import io.mirador.model.CheckResult;
import io.mirador.model.Envelope;
import io.mirador.model.EventType;
import io.mirador.model.Sample;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs this agent's checks: the central assignment the hub pushes (through {@link AgentEngineVerticle}) plus the
 * agent-local {@code agent.checks.local} definitions, which win over a central check of the same name.
 *
 * <p>Scheduling, as docs/CHECKS.md says: a check first runs {@link #splayMs splay} after it is assigned (a fixed
 * fraction of its interval from a hash of its name), then every interval on that grid. A run starts only when fewer
 * than {@code agent.checks.maxConcurrent} run, else it waits in line; a check never overlaps itself — a run due
 * while the previous one of that name still runs (its timeout may exceed its interval) is skipped and counted, per
 * check in {@code mirador_check_skipped_total} and for the agent in the heartbeat counter
 * {@value AgentInfo#CHECKS_SKIPPED_OVERLAP}. A changed check is rescheduled and a removed one stops at once; the
 * result of a run that started under an older definition is dropped.
 */
public final class AgentCheckVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(AgentCheckVerticle.class);
  private static final int MAX_ERRORS_SHOWN = 5;

  private String agentId;
  private int maxConcurrent;
  private List<Pattern> agentAllow;
  private List<Pattern> agentDeny;
  private Map<String, CheckDefinition> local;
  private List<CheckDefinition> central = List.of();
  private long revision = -1;
  private CommandRunner runner;
  private Meters meters;
  private MessageConsumer<JsonObject> consumer;

  private final Map<String, Scheduled> scheduled = new HashMap<>();
  private final ArrayDeque<Scheduled> waiting = new ArrayDeque<>();
  private final Set<String> runningNames = new HashSet<>();
  private final Map<String, Double> lastDurations = new ConcurrentHashMap<>();
  private long skippedOverlap;
  /** This agent's own policy on the commands of central checks, whatever the hub signed (docs/SECURITY.md). */
  private List<Pattern> commandAllow;
  private List<Pattern> commandDeny;
  private long refusedChecks;

  @Override
  public Future<?> start() {
    agentId = AgentConfig.of(config()).id();
    JsonObject section = Settings.section(config(), "agent", "checks");
    maxConcurrent = Settings.positiveInt(section, "maxConcurrent", 4);
    agentAllow = patterns("agent.checks.allow", section.getJsonArray("allow"));
    agentDeny = patterns("agent.checks.deny", section.getJsonArray("deny"));
    JsonObject commands = Settings.section(section, "commands");
    commandAllow = patterns("agent.checks.commands.allow", commands.getJsonArray("allow"));
    commandDeny = patterns("agent.checks.commands.deny", commands.getJsonArray("deny"));
    local = localDefinitions(Settings.section(section, "local"));
    meters = Meters.of(vertx);
    meters.gauge("mirador_checks_scheduled", "Checks this agent runs", Map.of("agent", agentId), scheduled::size);
    AgentHeartbeatVerticle.report(vertx, agentId, AgentInfo.CHECKS_SKIPPED_OVERLAP, skippedOverlap);
    runner = CommandRunner.create(vertx, "mirador-checks-" + agentId, maxConcurrent, maxConcurrent);
    consumer = vertx.eventBus().localConsumer(Addresses.agentChecks(agentId), message -> assign(message.body()));
    return consumer.completion().onSuccess(ready -> apply());
  }

  @Override
  public Future<?> stop() {
    scheduled.values().forEach(Scheduled::cancel);
    scheduled.clear();
    waiting.clear();
    return Future.join(consumer.unregister(), runner.close());
  }

  /** The deterministic first delay of a check: its name's CRC-32 modulo its interval, in ms. */
  static long splayMs(String checkName, long intervalMs) {
    CRC32 crc = new CRC32();
    crc.update(checkName.getBytes(StandardCharsets.UTF_8));
    return Math.floorMod(crc.getValue(), intervalMs);
  }

  /** Validates {@code agent.checks.local}: a bad one stops the agent with its reason. */
  static Map<String, CheckDefinition> localDefinitions(JsonObject section) {
    Map<String, CheckDefinition> definitions = new LinkedHashMap<>();
    for (String name : section.fieldNames()) {
      Object body = section.getValue(name);
      try {
        definitions.put(name, CheckDefinition.parse(name, body instanceof JsonObject json ? json : null));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("agent.checks.local." + name + ": " + e.getMessage(), e);
      }
    }
    return definitions;
  }

  private static List<Pattern> patterns(String key, JsonArray list) {
    List<Pattern> patterns = new ArrayList<>();
    if (list != null) {
      for (Object regex : list) {
        try {
          patterns.add(Pattern.compile(String.valueOf(regex)));
        } catch (RuntimeException e) {
          throw new IllegalArgumentException(key + ": '" + regex + "' is not a valid regular expression: " + e.getMessage(), e);
        }
      }
    }
    return List.copyOf(patterns);
  }

  /** A pushed assignment: {@code {"revision": n, "checks": [definitions]}}; an older or repeated revision is ignored. */
  private void assign(JsonObject assignment) {
    long pushed = assignment.getLong("revision", 0L);
    if (pushed < revision) {
      LOG.debug("agent {} ignores check assignment revision {} older than {}", agentId, pushed, revision);
      return;
    }
    // validating a thousand definitions is not for the event loop: on a worker, in order, then installed here
    vertx.executeBlocking(() -> {
      List<CheckDefinition> checks = new ArrayList<>();
      for (Object item : assignment.getJsonArray("checks", new JsonArray())) {
        try {
          checks.add(CheckDefinition.fromJson((JsonObject) item));
        } catch (RuntimeException e) {
          LOG.warn("agent {} skips an invalid check in assignment {}: {}", agentId, pushed, e.getMessage());
        }
      }
      return checks;
    }, true).onSuccess(checks -> install(pushed, checks));
  }

  private void install(long pushed, List<CheckDefinition> parsed) {
    if (pushed < revision) {
      return; // a newer one was installed while this one was read
    }
    List<CheckDefinition> checks = new ArrayList<>(parsed.size());
    for (CheckDefinition check : parsed) {
      String line = check.command() != null ? check.command() : String.join(" ", check.argv());
      if (passes(line, commandAllow, commandDeny)) {
        checks.add(check);
      } else {
        refusedChecks++;
        AgentHeartbeatVerticle.report(vertx, agentId, "checks_refused", refusedChecks);
        LOG.warn("agent {} refuses check {}: its command is not allowed by agent.checks.commands", agentId, check.name());
      }
    }
    revision = pushed;
    central = List.copyOf(checks);
    AgentHeartbeatVerticle.report(vertx, agentId, AgentInfo.CHECKS_REVISION, revision);
    apply();
  }

  /** Brings the schedule in line with the central and local definitions. */
  private void apply() {
    Map<String, CheckDefinition> wanted = new LinkedHashMap<>();
    central.forEach(check -> wanted.put(check.name(), check));
    local.forEach((name, check) -> {
      if (wanted.containsKey(name)) {
        LOG.info("agent {}: the local check {} replaces the central one", agentId, name);
      }
      wanted.put(name, check);
    });
    wanted.values().removeIf(check -> !check.enabled());
    for (Scheduled current : List.copyOf(scheduled.values())) {
      CheckDefinition now = wanted.get(current.definition.name());
      if (now == null || !now.equals(current.definition)) {
        current.cancel();
        scheduled.remove(current.definition.name());
        LOG.info("agent {}: check {} {}", agentId, current.definition.name(), now == null ? "stopped" : "changed");
      }
    }
    for (CheckDefinition check : wanted.values()) {
      if (!scheduled.containsKey(check.name())) {
        Scheduled fresh = new Scheduled(check);
        scheduled.put(check.name(), fresh);
        fresh.armFirst();
      }
    }
  }

  private void due(Scheduled check) {
    check.timer = -1;
    if (check.cancelled) {
      return;
    }
    if (runningNames.contains(check.definition.name())) {
      skipOverlapping(check);
      return;
    }
    if (runningNames.size() >= maxConcurrent) {
      waiting.addLast(check); // armed again when it starts
      return;
    }
    run(check);
  }

  /** The run due now is not started: the previous one of this name still runs. The grid goes on. */
  private void skipOverlapping(Scheduled check) {
    counter("mirador_check_skipped_total", "Runs skipped because the previous run of the check was still going", check).increment();
    AgentHeartbeatVerticle.report(vertx, agentId, AgentInfo.CHECKS_SKIPPED_OVERLAP, ++skippedOverlap);
    check.armNext();
  }

  private void run(Scheduled check) {
    CheckDefinition definition = check.definition;
    runningNames.add(definition.name());
    check.armNext(); // the grid goes on while it runs: a run due before this one ends is skipped, and counted
    long executed = System.currentTimeMillis();
    Future<CommandResult> ran;
    try {
      ran = runner.run(spec(definition));
    } catch (IllegalArgumentException e) {
      ran = Future.succeededFuture(CommandResult.notStarted(e.getMessage(), Duration.ZERO));
    }
    ran.recover(e -> Future.succeededFuture(CommandResult.notStarted(e.toString(), Duration.ZERO)))
        .onSuccess(result -> {
          runningNames.remove(definition.name());
          if (!check.cancelled) {
            report(check, result, executed);
          }
          startWaiting();
        });
  }

  private void startWaiting() {
    while (runningNames.size() < maxConcurrent && !waiting.isEmpty()) {
      Scheduled next = waiting.pollFirst();
      if (next.cancelled) {
        continue;
      }
      if (runningNames.contains(next.definition.name())) {
        skipOverlapping(next);
        continue;
      }
      run(next);
    }
  }

  private static CommandSpec spec(CheckDefinition definition) {
    Duration timeout = Duration.ofMillis(definition.timeoutMs());
    CommandSpec spec = definition.command() != null
        ? CommandSpec.ofShell(definition.command(), timeout)
        : CommandSpec.ofArgv(definition.argv(), timeout);
    spec = spec.withEnv(definition.env()).withMaxOutputBytes(definition.maxOutputBytes());
    return definition.workdir() == null ? spec : spec.withWorkingDir(Path.of(definition.workdir()));
  }

  private void report(Scheduled check, CommandResult ran, long executed) {
    CheckResult result = result(check.definition, ran, executed, agentAllow, agentDeny);
    String name = check.definition.name();
    counter("mirador_check_runs_total", "Check runs", check).increment();
    if (ran.timedOut()) {
      counter("mirador_check_timeouts_total", "Check runs killed at their timeout", check).increment();
    }
    if (result.status() == 3) {
      counter("mirador_check_failures_total", "Check runs that ended UNKNOWN: not started, timed out, or the plugin said so", check).increment();
    }
    lastDurations.put(name, ran.duration().toNanos() / 1e9);
    meters.gauge("mirador_check_duration_seconds", "Duration of the last run of each check", labels(check),
        () -> lastDurations.getOrDefault(name, 0.0));
    vertx.eventBus().send(Addresses.agentOutbox(agentId),
        new Envelope(Envelope.VERSION, EventType.CHECK, agentId, 0, System.currentTimeMillis(), result));
  }

  private LongAdder counter(String name, String help, Scheduled check) {
    return meters.counter(name, help, labels(check));
  }

  private Map<String, String> labels(Scheduled check) {
    return Map.of("agent", agentId, "check", check.definition.name());
  }

  /**
   * Turns a run into a check result: a timed-out run is UNKNOWN "timed out after N s", a run that could not start
   * UNKNOWN with the reason; otherwise the output is parsed in the check's format (Nagios: status and text from the
   * plugin; metric formats: the exit code as status and a count of metrics as text). Parse errors and a cut output
   * are told at the end of the output; perfdata keeps the metrics the allow/deny lists let through.
   */
  static CheckResult result(CheckDefinition check, CommandResult ran, long executed, List<Pattern> agentAllow, List<Pattern> agentDeny) {
    long durationMs = ran.duration().toMillis();
    if (ran.timedOut()) {
      return new CheckResult(check.name(), 3, CommandResult.timedOutMessage(Duration.ofMillis(check.timeoutMs())), List.of(), durationMs, executed);
    }
    if (ran.error() != null) {
      return new CheckResult(check.name(), 3, "could not run: " + ran.error(), List.of(), durationMs, executed);
    }
    int exitCode = ran.exitCode() == null ? 3 : ran.exitCode();
    OutputFormat format = OutputFormat.fromName(check.format());
    Parsed parsed = Parsers.forFormat(format).parse(ran.output(), exitCode, executed, check.name());
    int status;
    StringBuilder output = new StringBuilder();
    if (format == OutputFormat.NAGIOS) {
      status = parsed.status() == null ? 3 : parsed.status();
      output.append(parsed.output() == null ? "" : parsed.output());
      if (parsed.longOutput() != null && !parsed.longOutput().isEmpty()) {
        output.append('\n').append(parsed.longOutput());
      }
    } else {
      status = exitCode >= 0 && exitCode <= 3 ? exitCode : 3;
      output.append(parsed.samples().size()).append(" metrics");
      if (exitCode != 0) {
        output.append(", exit code ").append(exitCode);
      }
    }
    List<LineError> errors = parsed.errors();
    for (int i = 0; i < Math.min(errors.size(), MAX_ERRORS_SHOWN); i++) {
      LineError error = errors.get(i);
      output.append("\n[parse] line ").append(error.line()).append(": ").append(error.reason());
    }
    if (errors.size() > MAX_ERRORS_SHOWN) {
      output.append("\n[parse] ").append(errors.size() - MAX_ERRORS_SHOWN).append(" more errors");
    }
    if (ran.truncated()) {
      output.append("\n[output cut at ").append(check.maxOutputBytes()).append(" of ").append(ran.outputBytes()).append(" bytes]");
    }
    String text = output.length() > CheckResult.MAX_OUTPUT ? output.substring(0, CheckResult.MAX_OUTPUT) : output.toString();
    List<Pattern> allow = compiled(check.allow());
    List<Pattern> deny = compiled(check.deny());
    List<Sample> perfdata = new ArrayList<>();
    for (Sample sample : parsed.samples()) {
      if (passes(sample.name(), agentAllow, agentDeny) && passes(sample.name(), allow, deny)) {
        perfdata.add(sample);
      }
    }
    return new CheckResult(check.name(), status, text, perfdata, durationMs, executed);
  }

  private static List<Pattern> compiled(List<String> regexes) {
    return regexes.stream().map(Pattern::compile).toList();
  }

  /** Allowed when no allow pattern is set or one matches the whole name, and no deny pattern matches it. */
  static boolean passes(String metric, List<Pattern> allow, List<Pattern> deny) {
    if (!allow.isEmpty() && allow.stream().noneMatch(p -> p.matcher(metric).matches())) {
      return false;
    }
    return deny.stream().noneMatch(p -> p.matcher(metric).matches());
  }

  /** One check on the schedule. Event-loop confined, like the rest of this verticle. */
  private final class Scheduled {
    final CheckDefinition definition;
    final long intervalMs;
    long firstDue;
    /** The grid point the armed timer is for, or the last one that fell due. */
    long dueAt;
    long timer = -1;
    boolean cancelled;

    Scheduled(CheckDefinition definition) {
      this.definition = definition;
      this.intervalMs = definition.interval() * 1000L;
    }

    void armFirst() {
      long splay = splayMs(definition.name(), intervalMs);
      firstDue = System.currentTimeMillis() + splay;
      dueAt = firstDue;
      timer = vertx.setTimer(Math.max(1, splay), id -> due(this));
    }

    /**
     * The next point of the grid firstDue + k·interval after now, and after the point that fell due last: a timer
     * that fired a little before the wall clock reached its point must not arm that same point again.
     */
    void armNext() {
      if (cancelled || timer != -1) {
        return;
      }
      long now = System.currentTimeMillis();
      long k = Math.floorDiv(now - firstDue, intervalMs) + 1;
      long next = Math.max(firstDue + Math.max(1, k) * intervalMs, dueAt + intervalMs);
      dueAt = next;
      timer = vertx.setTimer(Math.max(1, next - now), id -> due(this));
    }

    void cancel() {
      cancelled = true;
      if (timer != -1) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }
  }
}
