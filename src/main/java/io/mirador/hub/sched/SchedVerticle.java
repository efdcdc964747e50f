package io.mirador.hub.sched;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mirador.Addresses;
import io.mirador.hub.HubConfig;
import io.mirador.hub.cluster.Fence;
import io.mirador.hub.cluster.LocalNode;
import io.mirador.hub.cluster.Ownership;
import io.mirador.hub.events.HubEvent;
import io.mirador.hub.events.JobReport;
import io.mirador.hub.events.JobsChanged;
import io.mirador.hub.events.RemediationRequested;
import io.mirador.metrics.Meters;
import io.mirador.model.Command;
import io.mirador.model.Envelope;
import io.mirador.model.EventType;
import io.mirador.model.JobResult;
import io.mirador.model.LogLine;
import io.mirador.model.Wire;
import io.mirador.store.AgentRecord;
import io.mirador.store.AgentRegistry;
import io.mirador.store.AgentStatus;
import io.mirador.store.Stores;
import io.mirador.transport.HubTransport;
import io.mirador.transport.Transports;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sched role: drives remote jobs ({@link JobPlan}) across the fleet, starts scheduled templates, and runs the
 * remediation template of an alert rule when its alert fires.
 *
 * <p>Once in the cluster: every sched verticle tries to hold the {@value #LEASE} lease; only its holder listens to job
 * reports, dispatches and writes, and every write carries the lease's fence. A target is written RUNNING (with its
 * deadline) before its job is sent, so an owner taking over never sends a target again: it waits for the result the
 * agent sends (and the agent, which remembers what it ran, would not run it twice anyway), or calls it UNREACHABLE at
 * its deadline. Reports from agents are answered — and so acked on the broker — only once stored.
 */
public final class SchedVerticle extends VerticleBase {

  /** The lease of job dispatch, schedules and remediation. */
  public static final String LEASE = "sched";

  private static final Logger LOG = LoggerFactory.getLogger(SchedVerticle.class);
  /** Templates are read again this often for their schedules. */
  private static final long TEMPLATES_EVERY_MS = 5_000;
  /** The store is read for jobs and cancels this owner may have missed this often. */
  private static final long RECONCILE_EVERY_MS = 5_000;
  /** Most missed ticks a scheduled job lists. */
  private static final int MAX_MISSED_LISTED = 10;

  private JobStore store;
  private AgentRegistry registry;
  private HubTransport transport;
  private JobsConfig settings;
  private Ownership ownership;
  private LongAdder fenced;
  private LongAdder lateReports;
  private LongAdder missedRuns;
  private LongAdder remediationsLimited;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private final Map<String, Driven> jobs = new HashMap<>();
  private final Map<String, ArrayDeque<Long>> remediations = new LinkedHashMap<>();
  private List<JsonObject> scheduled = List.of();
  private long templatesReadAt;
  private long reconciledAt;
  private long tick = -1;
  private long term;
  private boolean active;
  private long lastSeq;

  /** A job this owner drives: its plan, and the one save in flight with the next one queued behind it. */
  private static final class Driven {
    final JobPlan plan;
    boolean saving;
    Promise<Boolean> next;
    boolean pumping;
    boolean pumpAgain;

    Driven(JobPlan plan) {
      this.plan = plan;
    }
  }

  @Override
  public Future<?> start() {
    Stores stores = Stores.shared(vertx, config());
    store = stores.jobs();
    registry = stores.registry();
    settings = JobsConfig.of(config());
    transport = Transports.forHub(vertx, config());
    Meters meters = Meters.of(vertx);
    fenced = meters.counter("mirador_fenced_writes_total", "Writes refused because the lease they were made under had passed to another owner",
        Map.of("lease", LEASE));
    lateReports = meters.counter("mirador_job_reports_ignored_total", "Job results and output lines for targets that had ended (late or duplicate)");
    missedRuns = meters.counter("mirador_sched_missed_runs_total", "Schedule ticks that passed while no hub ran the sched role");
    remediationsLimited = meters.counter("mirador_remediations_limited_total", "Remediations not run because their rule's maxPerHour was reached");
    meters.gauge("mirador_jobs_open", "Jobs this node's sched role drives (its owner)", Map.of(), () -> jobs.size());
    ownership = new Ownership(vertx, stores.leases(), LEASE, LocalNode.owner(vertx, LEASE), HubConfig.of(config()).leaseTtlMs());
    ownership.onChange(holds -> {
      if (holds) {
        activate();
      } else {
        deactivate();
      }
    });
    return ownership.start();
  }

  @Override
  public Future<?> stop() {
    deactivate();
    return Future.join(ownership.stop(), transport.close());
  }

  private void activate() {
    long myTerm = ++term;
    active = true;
    jobs.clear();
    templatesReadAt = 0;
    store.unfinished().compose(ids -> Future.all(ids.stream().map(this::load).toList()).map(ids))
        .compose(ids -> store.cancelRequests().map(cancels -> {
          if (myTerm == term) {
            cancels.forEach(this::cancel);
          }
          return ids;
        }))
        .onComplete(loaded -> {
          if (myTerm != term) {
            return;
          }
          if (loaded.failed()) {
            LOG.warn("sched role could not read its jobs ({}); trying again", loaded.cause().toString());
            vertx.setTimer(1_000, id -> {
              if (myTerm == term) {
                activate();
              }
            });
            return;
          }
          listen();
          tick = vertx.setPeriodic(settings.tickMs(), id -> onTick(myTerm));
          jobs.values().forEach(this::pump);
          LOG.info("sched role active: {} jobs carried over", jobs.size());
        });
  }

  private void deactivate() {
    term++;
    if (!active) {
      return;
    }
    active = false;
    consumers.forEach(MessageConsumer::unregister);
    consumers.clear();
    vertx.cancelTimer(tick);
    jobs.clear();
    LOG.info("sched role inactive on this node");
  }

  private void listen() {
    consumers.add(vertx.eventBus().<JobsChanged>consumer(Addresses.JOBS_CHANGED, m -> {
      JobsChanged change = m.body();
      switch (change.what()) {
        case JobsChanged.SUBMITTED -> {
          if (!jobs.containsKey(change.id())) {
            load(change.id()).onSuccess(v -> Optional.ofNullable(jobs.get(change.id())).ifPresent(this::pump));
          }
        }
        case JobsChanged.CANCEL -> cancel(change.id());
        default -> { }
      }
    }));
    consumers.add(vertx.eventBus().<JobReport>consumer(Addresses.SCHED_REPORTS, this::report));
    consumers.add(vertx.eventBus().<RemediationRequested>consumer(Addresses.SCHED_REMEDIATION, m -> remediate(m.body())));
  }

  /** Reads a job from the store into {@link #jobs}, unless it ended. */
  private Future<Void> load(String id) {
    long myTerm = term;
    return Future.all(store.header(id), store.targets(id)).map(read -> {
      Optional<JsonObject> header = read.resultAt(0);
      List<Target> targets = read.resultAt(1);
      if (myTerm == term && header.isPresent() && !JobState.valueOf(header.get().getString("state")).ended() && !jobs.containsKey(id)) {
        jobs.put(id, new Driven(JobPlan.restore(header.get(), targets)));
      }
      return null;
    });
  }

  private void cancel(String id) {
    Driven job = jobs.get(id);
    if (job == null) {
      return;
    }
    List<Target> running = job.plan.cancel(System.currentTimeMillis());
    save(job).onSuccess(saved -> {
      if (saved) {
        for (Target target : running) {
          send(EventType.CANCEL, target.agent(), job.plan, new JsonObject().put("job", id))
              .onFailure(e -> LOG.warn("cancel of job {} not sent to agent {}: {}", id, target.agent(), e.getMessage()));
        }
      }
    });
  }

  /** A result or output line from the engine: applied, stored, then answered (the engine acks the event after that). */
  private void report(Message<JobReport> message) {
    JobReport report = message.body();
    String jobId = report.result() != null ? report.result().job() : jobOf(report.line());
    Driven job = jobId == null ? null : jobs.get(jobId);
    if (job == null) {
      lateReports.increment();
      message.reply("ignored"); // an ended job (its results are final) or one this store never had
      return;
    }
    long now = System.currentTimeMillis();
    boolean changed;
    if (report.result() != null) {
      JobResult result = report.result();
      Optional<TargetState> end = TargetState.fromResult(result.state());
      changed = end.isPresent() && job.plan.result(report.agent(), end.get(), result.exitCode(), result.output(), result.stderr(),
          result.startedAt(), result.endedAt(), now);
    } else {
      changed = job.plan.output(report.agent(), "stderr".equals(report.line().level()), report.line().line());
    }
    if (!changed) {
      lateReports.increment();
      message.reply("ignored");
      return;
    }
    save(job).onComplete(saved -> {
      if (saved.succeeded() && saved.result()) {
        message.reply("stored");
        if (report.result() != null) {
          pump(job);
        }
      } else {
        message.fail(503, saved.failed() ? "job not stored: " + saved.cause().getMessage() : "not the sched owner any more");
      }
    });
  }

  /** The job id of a job's output line (source {@code job:<id>}); null for any other log line. */
  public static String jobOf(LogLine line) {
    return line != null && line.source() != null && line.source().startsWith("job:") ? line.source().substring(4) : null;
  }

  private void onTick(long myTerm) {
    long now = System.currentTimeMillis();
    for (Driven job : List.copyOf(jobs.values())) {
      if (!job.plan.expire(now).isEmpty()) {
        save(job).onSuccess(saved -> pump(job));
      }
    }
    schedules(now, myTerm);
    if (now - reconciledAt >= RECONCILE_EVERY_MS) {
      reconciledAt = now;
      reconcile(myTerm);
    }
  }

  /**
   * Jobs stored while this owner missed their {@code submitted} event (published between two owners, or lost with a
   * node) and cancels it missed are picked up from the store.
   */
  private void reconcile(long myTerm) {
    store.unfinished().onSuccess(ids -> {
      for (String id : ids) {
        if (myTerm == term && !jobs.containsKey(id)) {
          load(id).onSuccess(v -> Optional.ofNullable(jobs.get(id)).ifPresent(this::pump));
        }
      }
    });
    store.cancelRequests().onSuccess(ids -> ids.forEach(id -> {
      Driven job = jobs.get(id);
      if (myTerm == term && job != null && !job.plan.cancelRequested()) {
        cancel(id);
      }
    }));
  }

  /**
   * Fills the job's window: picks the next targets, calls those whose agent is down (or unknown) UNREACHABLE at once,
   * writes the rest RUNNING, and only then sends them; again while targets freed room.
   */
  private void pump(Driven job) {
    if (job.pumping) {
      job.pumpAgain = true;
      return;
    }
    long myTerm = term;
    long now = System.currentTimeMillis();
    List<Target> picked = job.plan.dispatch(now, settings.graceMs());
    if (picked.isEmpty()) {
      save(job).onSuccess(saved -> forgetIfEnded(job));
      return;
    }
    job.pumping = true;
    Future.all(picked.stream().map(t -> registry.agent(t.agent()).otherwise(Optional.empty())).toList()).onComplete(looked -> {
      if (myTerm != term) {
        return;
      }
      List<Target> toSend = new ArrayList<>();
      boolean freed = false;
      for (int i = 0; i < picked.size(); i++) {
        Target target = picked.get(i);
        Optional<AgentRecord> agent = looked.succeeded() ? looked.result().resultAt(i) : Optional.empty();
        if (agent.isEmpty()) {
          freed |= job.plan.unreachable(target.agent(), "agent unknown to the hub", now);
        } else if (agent.get().status() == AgentStatus.DOWN) {
          freed |= job.plan.unreachable(target.agent(), "agent was down at dispatch", now);
        } else {
          toSend.add(target);
        }
      }
      boolean again = freed;
      save(job).onComplete(saved -> {
        job.pumping = false;
        if (saved.failed() || !saved.result()) {
          return;
        }
        // written RUNNING under a fence that held: sent even if the lease moved since, as the next owner will not send
        // them (and an agent runs a job id once)
        for (Target target : toSend) {
          send(EventType.JOB, target.agent(), job.plan, jobPayload(job.plan)).onFailure(e -> {
            if (myTerm == term && job.plan.unreachable(target.agent(), "the transport did not take the job: " + e.getMessage(),
                System.currentTimeMillis())) {
              save(job).onSuccess(ok -> pump(job));
            }
          });
        }
        if (myTerm != term) {
          return;
        }
        if (again || job.pumpAgain) {
          job.pumpAgain = false;
          pump(job);
        } else {
          forgetIfEnded(job);
        }
      });
    });
  }

  private void forgetIfEnded(Driven job) {
    if (job.plan.state().ended() && !job.saving) {
      jobs.remove(job.plan.id());
    }
  }

  private static JsonObject jobPayload(JobPlan plan) {
    JobSpec spec = plan.spec();
    return new JsonObject().put("job", plan.id()).put("script", spec.script()).put("interpreter", spec.interpreter())
        .put("args", new JsonArray(spec.args())).put("env", new JsonObject(new LinkedHashMap<>(spec.env())))
        .put("timeout", spec.timeoutSeconds());
  }

  private Future<Void> send(EventType type, String agent, JobPlan plan, JsonObject payload) {
    Command command;
    try {
      command = new Command(plan.id(), (ObjectNode) Wire.MAPPER.readTree(payload.encode()));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return Future.failedFuture(e);
    }
    long now = System.currentTimeMillis();
    lastSeq = Math.max(lastSeq + 1, now);
    return transport.sendToAgent(agent, new Envelope(Envelope.VERSION, type, agent, lastSeq, now, command));
  }

  /**
   * Writes what changed in the job under the fence. One save at a time per job; changes made meanwhile go together in
   * the next one, and every caller's future completes once its change is stored.
   */
  private Future<Boolean> save(Driven job) {
    if (job.saving) {
      if (job.next == null) {
        job.next = Promise.promise();
      }
      return job.next.future();
    }
    Optional<Fence> fence = ownership.fence();
    if (fence.isEmpty()) {
      return Future.succeededFuture(false);
    }
    JobPlan.Changes changes = job.plan.drain();
    if (changes.isEmpty()) {
      return Future.succeededFuture(true);
    }
    JsonObject header = changes.header() ? job.plan.header() : null;
    job.saving = true;
    return store.save(job.plan.id(), header, changes.targets(), fence.get()).andThen(saved -> {
      job.saving = false;
      if (saved.succeeded() && !saved.result()) {
        fenced.increment();
        LOG.info("not the {} owner any more (token {} is stale): job {} not stored", LEASE, fence.get().token(), job.plan.id());
      } else if (saved.failed()) {
        LOG.warn("job {} not stored: {}", job.plan.id(), saved.cause().toString());
      } else if (header != null) {
        HubEvent.publish(vertx.eventBus(), new JobsChanged(job.plan.id(), JobsChanged.PROGRESS, job.plan.state().name()));
        vertx.eventBus().publish(Addresses.LIVE_JOBS, JobsApi.summary(header));
      }
      Promise<Boolean> queued = job.next;
      job.next = null;
      if (queued != null) {
        save(job).onComplete(queued);
      } else {
        forgetIfEnded(job);
      }
    });
  }

  // ---- schedules ----

  private void schedules(long now, long myTerm) {
    if (now - templatesReadAt >= TEMPLATES_EVERY_MS) {
      templatesReadAt = now;
      store.templates().onSuccess(list -> {
        if (myTerm == term) {
          scheduled = list.stream().filter(t -> t.getString("schedule") != null).toList();
        }
      });
    }
    for (JsonObject template : scheduled) {
      CronSchedule cron;
      try {
        cron = CronSchedule.parse(template.getString("schedule"), template.getString("timezone"));
      } catch (IllegalArgumentException e) {
        continue; // refused at PUT; a stored one from an older version is skipped
      }
      String name = template.getString("name");
      long since = template.getLong("createdAt", now);
      Instant due = cron.latest(Instant.ofEpochMilli(now), Math.max(0, now - since));
      if (due == null || due.toEpochMilli() < since) {
        continue;
      }
      store.lastTick(name).onSuccess(last -> {
        if (myTerm != term || last >= due.toEpochMilli()) {
          return;
        }
        Optional<Fence> fence = ownership.fence();
        if (fence.isEmpty()) {
          return;
        }
        List<String> missed = new ArrayList<>();
        long missedCount = 0;
        if (last > 0) {
          for (Instant t = cron.next(Instant.ofEpochMilli(last)); t.isBefore(due); t = cron.next(t)) {
            missedCount++;
            if (missed.size() < MAX_MISSED_LISTED) {
              missed.add(t.toString());
            }
          }
        }
        long lost = missedCount;
        store.markTick(name, due.toEpochMilli(), fence.get()).onSuccess(marked -> {
          if (!marked || myTerm != term) {
            return;
          }
          if (lost > 0) {
            missedRuns.add(lost);
            LOG.warn("schedule of template {} missed {} runs while no hub ran the sched role (first {})", name, lost, missed.get(0));
          }
          JsonObject origin = new JsonObject().put("template", name).put("version", template.getInteger("version"))
              .put("scheduledFor", due.toString());
          if (lost > 0) {
            origin.put("missedRuns", lost).put("missed", new JsonArray(missed));
          }
          Jobs.submit(vertx, store, registry, template, origin, settings)
              .onFailure(e -> LOG.warn("scheduled run of template {} at {} not started: {}", name, due, e.getMessage()));
        });
      });
    }
  }

  // ---- remediation ----

  private void remediate(RemediationRequested request) {
    long now = System.currentTimeMillis();
    String key = request.rule() + "\0" + request.agent();
    ArrayDeque<Long> recent = remediations.computeIfAbsent(key, k -> new ArrayDeque<>());
    while (!recent.isEmpty() && now - recent.peekFirst() >= 3_600_000) {
      recent.pollFirst();
    }
    if (recent.size() >= request.maxPerHour()) {
      remediationsLimited.increment();
      LOG.info("remediation {} of rule {} on agent {} not run: {} already this hour", request.template(), request.rule(), request.agent(),
          recent.size());
      return;
    }
    recent.addLast(now);
    if (remediations.size() > 10_000) {
      remediations.remove(remediations.keySet().iterator().next());
    }
    store.template(request.template(), 0).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture("no template " + request.template());
      }
      JsonObject template = found.get().copy();
      template.put("targets", new JsonObject().put("agents", new JsonArray().add(request.agent())));
      JsonObject origin = new JsonObject().put("template", request.template()).put("version", template.getInteger("version"))
          .put("remediation", new JsonObject().put("rule", request.rule()).put("fingerprint", request.fingerprint()));
      return Jobs.submit(vertx, store, registry, template, origin, settings);
    }).onSuccess(id -> LOG.info("remediation job {} ({}) started on agent {} for rule {}", id, request.template(), request.agent(), request.rule()))
        .onFailure(e -> LOG.warn("remediation {} for rule {} on agent {} not started: {}", request.template(), request.rule(), request.agent(),
            e.getMessage()));
  }
}
