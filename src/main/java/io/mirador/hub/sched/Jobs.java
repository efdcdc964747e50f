package io.mirador.hub.sched;

import io.mirador.hub.events.HubEvent;
import io.mirador.hub.events.JobsChanged;
import io.mirador.store.AgentRecord;
import io.mirador.store.AgentRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Starting a job, the same way for the API, schedules and remediation: validate, resolve the targets once, store, tell sched. */
public final class Jobs {

  private Jobs() {
  }

  /** Why a job cannot be started that is the caller's to fix: the API answers 400 with it. */
  public static final class Refused extends IllegalArgumentException {
    public Refused(String message) {
      super(message);
    }
  }

  /** Too many jobs are being driven: the API answers 409. */
  public static final class Busy extends IllegalStateException {
    public Busy(String message) {
      super(message);
    }
  }

  /** Validates {@code request} ({@link JobSpec#fromJson}), resolves its targets, stores the job; the future holds its id. */
  public static Future<String> submit(Vertx vertx, JobStore store, AgentRegistry registry, JsonObject request, JsonObject origin,
      JobsConfig settings) {
    JobSpec spec;
    try {
      spec = JobSpec.fromJson(request);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new Refused(e.getMessage()));
    }
    return Future.all(registry.agents(), store.unfinished()).compose(read -> {
      List<AgentRecord> agents = read.resultAt(0);
      List<String> open = read.resultAt(1);
      if (open.size() >= settings.maxOpenJobs()) {
        return Future.failedFuture(new Busy(open.size() + " jobs are running (hub.jobs.maxOpenJobs)"));
      }
      Map<String, String> resolved;
      try {
        resolved = resolve(spec.targets(), agents);
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(new Refused(e.getMessage()));
      }
      long now = System.currentTimeMillis();
      String id = "j-" + Long.toString(now, 36) + "-" + UUID.randomUUID().toString().substring(0, 8);
      JobPlan plan = JobPlan.create(id, spec, resolved, now, origin);
      return store.create(plan.header(), plan.targets()).map(id).onSuccess(stored ->
          HubEvent.publish(vertx.eventBus(), new JobsChanged(id, JobsChanged.SUBMITTED, JobState.WAITING.name())));
    });
  }

  /** The union of the selectors over the known agents, in the order given then by id: agent id → hostname. */
  static Map<String, String> resolve(JobSpec.Targets targets, List<AgentRecord> agents) {
    Map<String, AgentRecord> byId = new LinkedHashMap<>();
    agents.stream().sorted(java.util.Comparator.comparing(AgentRecord::id)).forEach(a -> byId.put(a.id(), a));
    Map<String, String> resolved = new LinkedHashMap<>();
    for (String id : targets.agents()) {
      AgentRecord agent = byId.get(id);
      if (agent == null) {
        throw new IllegalArgumentException("unknown agent '" + id + "'");
      }
      resolved.put(id, agent.hostname());
    }
    for (AgentRecord agent : byId.values()) {
      List<String> subscriptions = agent.subscriptions().isEmpty() ? List.of("all") : agent.subscriptions();
      if (targets.hostnameMatches(agent.hostname()) || targets.subscriptions().stream().anyMatch(subscriptions::contains)) {
        resolved.putIfAbsent(agent.id(), agent.hostname());
      }
    }
    if (resolved.isEmpty()) {
      throw new IllegalArgumentException("targets select no known agent");
    }
    return resolved;
  }
}
