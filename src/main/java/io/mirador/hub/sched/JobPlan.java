package io.mirador.hub.sched;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One job's state machine, pure: no clock, no I/O; every step takes {@code now}. The sched role drives it and persists
 * what {@link #drain} says changed.
 *
 * <ul>
 *   <li>{@link #dispatch}: the sliding window. Targets start in their order while fewer than {@code parallel} run.</li>
 *   <li>{@link #result}: decided on results. The first final state of a target stays; a late or duplicate result
 *   changes nothing and says so (false).</li>
 *   <li>Thresholds: once failures (FAILED, TIMED_OUT, UNREACHABLE) exceed {@code failCount} or {@code failRate}
 *   percent of all targets, no new target starts and the waiting ones are SKIPPED; the job ends FAILED with the reason
 *   once nothing runs any more.</li>
 *   <li>{@link #expire}: a target that has not answered by its deadline (timeout + grace after dispatch) is
 *   UNREACHABLE; {@link #unreachable} marks one at once (down at dispatch, the transport refused it).</li>
 *   <li>{@link #cancel}: nothing new starts, waiting targets are CANCELLED, running ones are named for the agents to
 *   kill; the job ends CANCELLED once they answered or passed their deadline.</li>
 * </ul>
 */
public final class JobPlan {

  /** Most bytes kept of each of stdout and stderr per target, as streamed and as reported. */
  public static final int MAX_OUTPUT = 64 * 1024;

  private final String id;
  private final JobSpec spec;
  private final long createdAt;
  private final JsonObject origin;
  private final Map<String, Target> targets = new LinkedHashMap<>();
  private JobState state;
  private String reason;
  private long startedAt;
  private long endedAt;
  private boolean stopped;
  private boolean cancelRequested;
  private int running;
  private final Set<String> changedTargets = new LinkedHashSet<>();
  private boolean headerChanged;

  private JobPlan(String id, JobSpec spec, long createdAt, JsonObject origin) {
    this.id = id;
    this.spec = spec;
    this.createdAt = createdAt;
    this.origin = origin == null ? new JsonObject() : origin;
  }

  /** A new job over the resolved targets (agent id → hostname, in dispatch order). */
  public static JobPlan create(String id, JobSpec spec, Map<String, String> resolved, long now, JsonObject origin) {
    if (resolved.isEmpty()) {
      throw new IllegalArgumentException("a job needs at least one target");
    }
    JobPlan plan = new JobPlan(id, spec, now, origin);
    plan.state = JobState.WAITING;
    int index = 0;
    for (Map.Entry<String, String> target : resolved.entrySet()) {
      plan.targets.put(target.getKey(), Target.waiting(index++, target.getKey(), target.getValue()));
      plan.changedTargets.add(target.getKey());
    }
    plan.headerChanged = true;
    return plan;
  }

  /** The plan as stored: its header and its targets. */
  public static JobPlan restore(JsonObject header, Collection<Target> stored) {
    JobPlan plan = new JobPlan(header.getString("id"), JobSpec.fromJson(header.getJsonObject("spec")), header.getLong("createdAt"),
        header.getJsonObject("origin"));
    plan.state = JobState.valueOf(header.getString("state"));
    plan.reason = header.getString("reason");
    plan.startedAt = header.getLong("startedAt", 0L);
    plan.endedAt = header.getLong("endedAt", 0L);
    plan.stopped = header.getBoolean("stopped", false);
    plan.cancelRequested = header.getBoolean("cancelRequested", false);
    stored.stream().sorted(java.util.Comparator.comparingInt(Target::index)).forEach(t -> plan.targets.put(t.agent(), t));
    plan.running = (int) plan.targets.values().stream().filter(t -> t.state() == TargetState.RUNNING).count();
    return plan;
  }

  public String id() {
    return id;
  }

  public JobSpec spec() {
    return spec;
  }

  public JobState state() {
    return state;
  }

  public String reason() {
    return reason;
  }

  public long createdAt() {
    return createdAt;
  }

  public boolean cancelRequested() {
    return cancelRequested;
  }

  public Target target(String agent) {
    return targets.get(agent);
  }

  public List<Target> targets() {
    return List.copyOf(targets.values());
  }

  /**
   * Starts as many waiting targets as the window has room for: each becomes RUNNING with its deadline (timeout plus
   * {@code graceMs} from now). Returns them, in order, for the caller to send.
   */
  public List<Target> dispatch(long now, long graceMs) {
    List<Target> started = new ArrayList<>();
    if (state.ended() || stopped || cancelRequested) {
      return started;
    }
    for (Target target : targets.values()) {
      if (running >= spec.parallel()) {
        break;
      }
      if (target.state() == TargetState.WAITING) {
        Target next = target.dispatched(now, now + spec.timeoutSeconds() * 1_000L + graceMs);
        put(next);
        running++;
        started.add(next);
      }
    }
    if (!started.isEmpty() && state == JobState.WAITING) {
      state = JobState.RUNNING;
      startedAt = now;
      headerChanged = true;
    }
    settle(now);
    return started;
  }

  /** The agent's result; false when it changes nothing (unknown target, already final: a late or duplicate result). */
  public boolean result(String agent, TargetState end, Integer exitCode, String stdout, String stderr, long started, long ended, long now) {
    Target target = targets.get(agent);
    if (target == null || target.state().ended() || !end.ended()) {
      return false;
    }
    if (target.state() == TargetState.RUNNING) {
      running--;
    }
    put(target.ended(end, exitCode, cap(stdout), cap(stderr), started, ended, null));
    settle(now);
    return true;
  }

  /** A line of output streamed while the target runs; false when the target is not running. */
  public boolean output(String agent, boolean stderr, String line) {
    Target target = targets.get(agent);
    if (target == null || target.state() != TargetState.RUNNING) {
      return false;
    }
    String out = stderr ? target.stdout() : append(target.stdout(), line);
    String err = stderr ? append(target.stderr(), line) : target.stderr();
    if (out.equals(target.stdout()) && err.equals(target.stderr())) {
      return false;
    }
    put(target.output(out, err));
    return true;
  }

  /** Marks a waiting or running target UNREACHABLE; false when it had ended. */
  public boolean unreachable(String agent, String why, long now) {
    Target target = targets.get(agent);
    if (target == null || target.state().ended()) {
      return false;
    }
    if (target.state() == TargetState.RUNNING) {
      running--;
    }
    put(target.with(TargetState.UNREACHABLE, why).ended(TargetState.UNREACHABLE, null, target.stdout(), target.stderr(), 0, 0, why));
    settle(now);
    return true;
  }

  /** Running targets past their deadline become UNREACHABLE; returns them. */
  public List<Target> expire(long now) {
    List<Target> expired = new ArrayList<>();
    for (Target target : List.copyOf(targets.values())) {
      if (target.state() == TargetState.RUNNING && now >= target.deadline()) {
        unreachable(target.agent(), "no result within the timeout and its grace", now);
        expired.add(target);
      }
    }
    return expired;
  }

  /** Stops the job: returns the running targets, for the agents to kill; empty when it had ended or was cancelled already. */
  public List<Target> cancel(long now) {
    if (state.ended() || cancelRequested) {
      return List.of();
    }
    cancelRequested = true;
    reason = "cancelled";
    headerChanged = true;
    List<Target> toKill = new ArrayList<>();
    for (Target target : List.copyOf(targets.values())) {
      if (target.state() == TargetState.WAITING) {
        put(target.with(TargetState.CANCELLED, "cancelled before it started"));
      } else if (target.state() == TargetState.RUNNING) {
        toKill.add(target);
      }
    }
    settle(now);
    return toKill;
  }

  /** The earliest deadline of a running target; Long.MAX_VALUE when none runs. */
  public long nextDeadline() {
    return targets.values().stream().filter(t -> t.state() == TargetState.RUNNING).mapToLong(Target::deadline).min().orElse(Long.MAX_VALUE);
  }

  public Map<TargetState, Integer> counts() {
    Map<TargetState, Integer> counts = new EnumMap<>(TargetState.class);
    for (TargetState s : TargetState.values()) {
      counts.put(s, 0);
    }
    targets.values().forEach(t -> counts.merge(t.state(), 1, Integer::sum));
    return counts;
  }

  /** What changed since the last drain: whether the header did, and the targets that did. */
  public record Changes(boolean header, List<Target> targets) {
    public boolean isEmpty() {
      return !header && targets.isEmpty();
    }
  }

  public Changes drain() {
    Changes changes = new Changes(headerChanged, changedTargets.stream().map(targets::get).toList());
    headerChanged = false;
    changedTargets.clear();
    return changes;
  }

  /** The header as stored (no targets). */
  public JsonObject header() {
    JsonObject counts = new JsonObject();
    counts().forEach((s, n) -> counts.put(s.name(), n));
    return new JsonObject().put("id", id).put("state", state.name()).put("reason", reason).put("createdAt", createdAt)
        .put("startedAt", startedAt).put("endedAt", endedAt).put("stopped", stopped).put("cancelRequested", cancelRequested)
        .put("total", targets.size()).put("counts", counts).put("origin", origin).put("spec", spec.toJson());
  }

  private void put(Target target) {
    targets.put(target.agent(), target);
    changedTargets.add(target.agent());
  }

  /** Applies the thresholds, and ends the job once nothing waits or runs. */
  private void settle(long now) {
    Map<TargetState, Integer> counts = counts();
    int failures = counts.get(TargetState.FAILED) + counts.get(TargetState.TIMED_OUT) + counts.get(TargetState.UNREACHABLE);
    if (!stopped && !cancelRequested) {
      String exceeded = null;
      if (spec.failCount() >= 0 && failures > spec.failCount()) {
        exceeded = failures + " targets failed, more than failCount " + spec.failCount();
      } else if (spec.failRate() >= 0 && failures * 100L > (long) spec.failRate() * targets.size()) {
        exceeded = failures + " of " + targets.size() + " targets failed, more than failRate " + spec.failRate() + "%";
      }
      if (exceeded != null) {
        stopped = true;
        reason = exceeded;
        headerChanged = true;
        for (Target target : List.copyOf(targets.values())) {
          if (target.state() == TargetState.WAITING) {
            put(target.with(TargetState.SKIPPED, "not started: " + exceeded));
          }
        }
      }
    }
    if (state.ended() || running > 0 || targets.values().stream().anyMatch(t -> t.state() == TargetState.WAITING)) {
      headerChanged = true; // counts moved
      return;
    }
    endedAt = now;
    if (cancelRequested) {
      state = JobState.CANCELLED;
    } else if (stopped) {
      state = JobState.FAILED;
    } else if (failures > 0 || counts.get(TargetState.CANCELLED) > 0) {
      state = JobState.FAILED;
      reason = (targets.size() - counts.get(TargetState.SUCCEEDED)) + " of " + targets.size() + " targets did not succeed";
    } else {
      state = JobState.SUCCEEDED;
    }
    headerChanged = true;
  }

  private static String append(String text, String line) {
    if (text.length() >= MAX_OUTPUT) {
      return text;
    }
    return cap(text + line + "\n");
  }

  static String cap(String text) {
    if (text == null) {
      return "";
    }
    return text.length() <= MAX_OUTPUT ? text : text.substring(0, MAX_OUTPUT);
  }
}
