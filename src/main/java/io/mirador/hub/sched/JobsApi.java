package io.mirador.hub.sched;

import io.mirador.hub.events.HubEvent;
import io.mirador.hub.events.JobsChanged;
import io.mirador.hub.security.Access;
import io.mirador.hub.security.Audit;
import io.mirador.hub.security.Role;
import io.mirador.hub.web.Api;
import io.mirador.hub.web.ApiError;
import io.mirador.hub.web.TimeParams;
import io.mirador.model.Envelope;
import io.mirador.store.AgentRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The jobs API: submit, follow, cancel and list jobs; templates with versions, run by name or on their schedule. Reads
 * need {@link Role#VIEWER}, everything that runs or stops code {@link Role#OPERATOR}. Off unless {@code hub.jobs.enabled}
 * (see {@link JobsConfig}): then every route answers 403 with the reason.
 */
public final class JobsApi implements Api {

  private static final int MAX_LIST = 1_000;

  private final Vertx vertx;
  private final JobStore store;
  private final AgentRegistry registry;
  private final JobsConfig settings;

  public JobsApi(Vertx vertx, JobStore store, AgentRegistry registry, JobsConfig settings) {
    this.vertx = vertx;
    this.store = store;
    this.registry = registry;
    this.settings = settings;
  }

  @Override
  public void mount(Router router) {
    if (!settings.enabled()) {
      router.route("/api/v1/jobs*").handler(ctx -> ctx.fail(disabled()));
      router.route("/api/v1/job-templates*").handler(ctx -> ctx.fail(disabled()));
      return;
    }
    BodyHandler body = BodyHandler.create().setBodyLimit(settings.maxBodyBytes());
    router.post("/api/v1/jobs").handler(Access.requires(Role.OPERATOR));
    // the role before the body is read; a body handler may not follow a user handler on one route, so a route of its own
    router.post("/api/v1/jobs").handler(body).handler(this::submit);
    router.get("/api/v1/jobs").handler(Access.requires(Role.VIEWER)).handler(this::list);
    router.get("/api/v1/jobs/:id").handler(Access.requires(Role.VIEWER)).handler(this::job);
    router.get("/api/v1/jobs/:id/targets/:agent/output").handler(Access.requires(Role.VIEWER)).handler(this::output);
    router.post("/api/v1/jobs/:id/cancel").handler(Access.requires(Role.OPERATOR)).handler(this::cancel);
    router.get("/api/v1/job-templates").handler(Access.requires(Role.VIEWER)).handler(this::templates);
    router.get("/api/v1/job-templates/:name").handler(Access.requires(Role.VIEWER)).handler(this::template);
    router.put("/api/v1/job-templates/:name").handler(Access.requires(Role.OPERATOR));
    router.put("/api/v1/job-templates/:name").handler(body).handler(this::putTemplate);
    router.post("/api/v1/job-templates/:name/run").handler(Access.requires(Role.OPERATOR));
    router.post("/api/v1/job-templates/:name/run").handler(body).handler(this::run);
  }

  private static ApiError disabled() {
    return ApiError.forbidden("jobs are off on this hub: they run code on every agent, so a hub runs them only when told to;"
        + " set hub.jobs.enabled: true (MIRADOR_JOBS_ENABLED=true) to turn them on (docs/JOBS.md)");
  }

  private void submit(RoutingContext ctx) {
    JsonObject request = body(ctx);
    started(ctx, "job.submit", Jobs.submit(vertx, store, registry, request, new JsonObject(), settings));
  }

  private void started(RoutingContext ctx, String action, Future<String> submitted) {
    submitted.onSuccess(id -> {
      Audit.record(ctx, action, id);
      Api.reply(ctx, 201, new JsonObject().put("id", id));
    }).onFailure(e -> {
      if (e instanceof Jobs.Refused) {
        ctx.fail(ApiError.badRequest(e.getMessage()));
      } else if (e instanceof Jobs.Busy) {
        ctx.fail(ApiError.conflict(e.getMessage()));
      } else {
        ctx.fail(e);
      }
    });
  }

  private void list(RoutingContext ctx) {
    String stateParam = ctx.request().getParam("state");
    Optional<JobState> state;
    try {
      state = stateParam == null ? Optional.empty() : Optional.of(JobState.valueOf(stateParam.toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("state must be one of " + List.of(JobState.values()));
    }
    long now = System.currentTimeMillis();
    long since;
    try {
      since = TimeParams.instant("since", ctx.request().getParam("since"), 0, now);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(e.getMessage());
    }
    String text = ctx.request().getParam("text");
    int limit = limit(ctx.request().getParam("limit"));
    store.headers(JobStore.MAX_JOBS).onSuccess(headers -> {
      JsonArray jobs = new JsonArray();
      for (JsonObject header : headers) {
        if (jobs.size() >= limit) {
          break;
        }
        if (state.isPresent() && !state.get().name().equals(header.getString("state"))) {
          continue;
        }
        if (header.getLong("createdAt") < since) {
          continue;
        }
        if (text != null && !header.encode().toLowerCase(Locale.ROOT).contains(text.toLowerCase(Locale.ROOT))) {
          continue;
        }
        jobs.add(summary(header));
      }
      Api.ok(ctx, new JsonObject().put("jobs", jobs));
    }).onFailure(ctx::fail);
  }

  private static int limit(String text) {
    if (text == null) {
      return 100;
    }
    try {
      int limit = Integer.parseInt(text);
      if (limit >= 1 && limit <= MAX_LIST) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw ApiError.badRequest("limit must be 1-" + MAX_LIST + ", got " + text);
  }

  /** What the list and the live feed show of a job: its header without the script's environment. */
  public static JsonObject summary(JsonObject header) {
    JsonObject spec = header.getJsonObject("spec", new JsonObject());
    String script = spec.getString("script", "");
    return new JsonObject().put("id", header.getString("id")).put("state", header.getString("state")).put("reason", header.getString("reason"))
        .put("counts", header.getJsonObject("counts")).put("total", header.getInteger("total")).put("createdAt", header.getLong("createdAt"))
        .put("startedAt", header.getLong("startedAt")).put("endedAt", header.getLong("endedAt")).put("origin", header.getJsonObject("origin"))
        .put("script", script.length() > 200 ? script.substring(0, 200) + "…" : script);
  }

  private void job(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    Future.all(store.header(id), store.targets(id)).onSuccess(read -> {
      Optional<JsonObject> header = read.resultAt(0);
      if (header.isEmpty()) {
        ctx.fail(ApiError.notFound("no job " + id));
        return;
      }
      List<Target> targets = read.resultAt(1);
      JsonObject view = summary(header.get()).put("spec", header.get().getJsonObject("spec"));
      JsonArray list = new JsonArray();
      targets.forEach(t -> list.add(t.toJson()));
      Api.ok(ctx, view.put("targets", list));
    }).onFailure(ctx::fail);
  }

  private void output(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    String agent = ctx.pathParam("agent");
    store.targets(id).onSuccess(targets -> {
      Optional<Target> target = targets.stream().filter(t -> t.agent().equals(agent)).findFirst();
      if (target.isEmpty()) {
        ctx.fail(ApiError.notFound("job " + id + " has no target " + agent));
        return;
      }
      Target t = target.get();
      Api.ok(ctx, new JsonObject().put("job", id).put("agent", agent).put("state", t.state().name()).put("stdout", t.stdout())
          .put("stderr", t.stderr()));
    }).onFailure(ctx::fail);
  }

  private void cancel(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    store.requestCancel(id).onSuccess(found -> {
      if (!found) {
        ctx.fail(ApiError.notFound("no job " + id));
        return;
      }
      HubEvent.publish(vertx.eventBus(), new JobsChanged(id, JobsChanged.CANCEL, null));
      Audit.record(ctx, "job.cancel", id);
      Api.reply(ctx, 202, new JsonObject().put("id", id).put("cancel", "requested"));
    }).onFailure(ctx::fail);
  }

  private void templates(RoutingContext ctx) {
    store.templates().onSuccess(list -> Api.ok(ctx, new JsonObject().put("templates", new JsonArray(list)))).onFailure(ctx::fail);
  }

  private void template(RoutingContext ctx) {
    String name = name(ctx);
    int version = version(ctx.request().getParam("version"));
    store.template(name, version).onSuccess(found -> found.ifPresentOrElse(t -> Api.ok(ctx, t),
        () -> ctx.fail(ApiError.notFound("no template " + name + (version > 0 ? " version " + version : ""))))).onFailure(ctx::fail);
  }

  private void putTemplate(RoutingContext ctx) {
    String name = name(ctx);
    JsonObject template = body(ctx);
    template.remove("name");
    template.remove("version");
    validTemplate(template);
    template.put("createdAt", System.currentTimeMillis());
    store.putTemplate(name, template).onSuccess(version -> {
      Audit.record(ctx, "template.put", name + " v" + version);
      Api.reply(ctx, version == 1 ? 201 : 200, new JsonObject().put("name", name).put("version", version));
    }).onFailure(ctx::fail);
  }

  /** A template is a job request (targets may be left for the run) plus an optional schedule and its time zone. */
  static void validTemplate(JsonObject template) {
    JsonObject probe = template.copy();
    if (probe.getValue("targets") == null) {
      probe.put("targets", new JsonObject().put("subscriptions", new JsonArray().add("all")));
    }
    try {
      JobSpec.fromJson(probe);
      Object schedule = template.getValue("schedule");
      if (schedule != null) {
        if (!(schedule instanceof String cron)) {
          throw new IllegalArgumentException("schedule must be a cron expression");
        }
        if (template.getValue("targets") == null) {
          throw new IllegalArgumentException("a scheduled template needs targets");
        }
        CronSchedule.parse(cron, template.getString("timezone"));
      }
    } catch (IllegalArgumentException | ClassCastException e) {
      throw ApiError.badRequest(e.getMessage());
    }
  }

  private void run(RoutingContext ctx) {
    String name = name(ctx);
    JsonObject request = ctx.body().length() == 0 ? new JsonObject() : body(ctx);
    int version = request.getValue("version") == null ? 0 : version(String.valueOf(request.getValue("version")));
    store.template(name, version).onSuccess(found -> {
      if (found.isEmpty()) {
        ctx.fail(ApiError.notFound("no template " + name + (version > 0 ? " version " + version : "")));
        return;
      }
      JsonObject job = found.get().copy();
      if (request.getValue("targets") != null) {
        job.put("targets", request.getValue("targets"));
      }
      if (job.getValue("targets") == null) {
        ctx.fail(ApiError.badRequest("template " + name + " has no targets: give them in the run request"));
        return;
      }
      JsonObject origin = new JsonObject().put("template", name).put("version", job.getInteger("version"));
      started(ctx, "template.run", Jobs.submit(vertx, store, registry, job, origin, settings));
    }).onFailure(ctx::fail);
  }

  private static String name(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    if (name == null || !Envelope.NAME.matcher(name).matches()) {
      throw ApiError.badRequest("template name must match " + Envelope.NAME.pattern());
    }
    return name;
  }

  private static int version(String text) {
    if (text == null) {
      return 0;
    }
    try {
      int version = Integer.parseInt(text);
      if (version >= 1) {
        return version;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw ApiError.badRequest("version must be a whole number from 1, got " + text);
  }

  private static JsonObject body(RoutingContext ctx) {
    return Api.jsonBody(ctx, "a JSON object is required");
  }
}
