package io.mirador.hub.alert;

import io.mirador.hub.security.Access;
import io.mirador.hub.security.Audit;
import io.mirador.hub.security.Role;
import io.mirador.hub.alert.notify.NotifierConfig;
import io.mirador.hub.alert.notify.Notifiers;
import io.mirador.hub.alert.pipeline.Inhibitor;
import io.mirador.hub.alert.pipeline.Silencer;
import io.mirador.hub.events.AlertConfigChanged;
import io.mirador.hub.events.HubEvent;
import io.mirador.hub.web.Api;
import io.mirador.hub.web.ApiError;
import io.mirador.hub.web.ApiLimits;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Alerting's REST resources: rules and notifiers (GET, PUT, DELETE by name), silences (POST, GET, DELETE = expire), and
 * alerts with their notifications and silences ({@code GET /api/v1/alerts}, filters state, severity, agent, rule). A bad
 * body is a 400 that changes nothing; secrets of notifiers never leave the hub.
 */
public final class AlertsApi implements Api {

  static final int MAX_BODY_BYTES = 256 * 1024;

  private final Vertx vertx;
  private final AlertStore store;
  private final Notifiers plugins;
  private final ApiLimits limits;

  public AlertsApi(Vertx vertx, AlertStore store, Notifiers plugins) {
    this(vertx, store, plugins, ApiLimits.defaults(vertx), null);
  }

  /** With the jobs store, each alert shows the remediation jobs it started. */
  public AlertsApi(Vertx vertx, AlertStore store, Notifiers plugins, ApiLimits limits, io.mirador.hub.sched.JobStore jobs) {
    this.vertx = vertx;
    this.store = store;
    this.plugins = plugins;
    this.limits = limits;
    this.jobs = jobs;
  }

  /** How many of the newest jobs are looked through for remediations. */
  private static final int REMEDIATION_LOOKBACK = 1_000;
  private final io.mirador.hub.sched.JobStore jobs;

  @Override
  public void mount(Router router) {
    BodyHandler body = BodyHandler.create().setBodyLimit(MAX_BODY_BYTES);
    router.get("/api/v1/rules").handler(Access.requires(Role.VIEWER)).handler(this::rules);
    router.route("/api/v1/rules/:name").handler(body);
    router.get("/api/v1/rules/:name").handler(Access.requires(Role.VIEWER)).handler(this::rule);
    router.put("/api/v1/rules/:name").handler(Access.requires(Role.OPERATOR)).handler(this::putRule);
    router.delete("/api/v1/rules/:name").handler(Access.requires(Role.OPERATOR)).handler(this::removeRule);
    router.get("/api/v1/notifiers").handler(Access.requires(Role.VIEWER)).handler(this::notifiers);
    router.route("/api/v1/notifiers/:name").handler(body);
    router.get("/api/v1/notifiers/:name").handler(Access.requires(Role.VIEWER)).handler(this::notifier);
    router.put("/api/v1/notifiers/:name").handler(Access.requires(Role.ADMIN)).handler(this::putNotifier);
    router.delete("/api/v1/notifiers/:name").handler(Access.requires(Role.ADMIN)).handler(this::removeNotifier);
    router.route("/api/v1/silences").handler(body);
    router.get("/api/v1/silences").handler(Access.requires(Role.VIEWER)).handler(this::silences);
    router.post("/api/v1/silences").handler(Access.requires(Role.OPERATOR)).handler(this::postSilence);
    router.get("/api/v1/silences/:id").handler(Access.requires(Role.VIEWER)).handler(this::silence);
    router.delete("/api/v1/silences/:id").handler(Access.requires(Role.OPERATOR)).handler(this::expireSilence);
    router.get("/api/v1/alerts").handler(Access.requires(Role.VIEWER)).handler(this::alerts);
  }

  private JsonObject body(RoutingContext ctx) {
    limits.checkDefinitionSize(ctx);
    return Api.jsonBody(ctx, "a JSON object is required");
  }

  private void changed(String what, String name) {
    HubEvent.publish(vertx.eventBus(), new AlertConfigChanged(what, name));
  }

  private void rules(RoutingContext ctx) {
    store.rules().onSuccess(rules -> {
      JsonArray list = new JsonArray();
      rules.forEach(rule -> list.add(rule.toJson()));
      Api.ok(ctx, new JsonObject().put("rules", list));
    }).onFailure(ctx::fail);
  }

  private void rule(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    store.rule(name).onSuccess(rule -> {
      if (rule.isEmpty()) {
        ctx.fail(ApiError.notFound("no rule named " + name));
      } else {
        Api.ok(ctx, rule.get().toJson());
      }
    }).onFailure(ctx::fail);
  }

  private void putRule(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    Rule rule;
    try {
      rule = Rule.parse(name, body(ctx));
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(e.getMessage());
    }
    store.rule(name)
        .compose(existing -> limits.roomFor(ApiLimits.Kind.RULES, existing.isPresent(), store.rules().map(List::size)))
        .compose(room -> store.putRule(rule)).onSuccess(existed -> {
      Audit.record(ctx, "rule.put", name);
      changed(AlertConfigChanged.RULE, name);
      Api.reply(ctx, existed ? 200 : 201, rule.toJson());
    }).onFailure(ctx::fail);
  }

  private void removeRule(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    store.removeRule(name).onSuccess(existed -> {
      if (!existed) {
        ctx.fail(ApiError.notFound("no rule named " + name));
        return;
      }
      Audit.record(ctx, "rule.remove", name);
      changed(AlertConfigChanged.RULE, name);
      ctx.response().setStatusCode(204).end();
    }).onFailure(ctx::fail);
  }

  private JsonObject shown(NotifierConfig notifier) {
    Set<String> secrets = plugins.has(notifier.type()) ? plugins.get(notifier.type()).secrets() : Set.of();
    return notifier.toJson(secrets);
  }

  private void notifiers(RoutingContext ctx) {
    store.notifiers().onSuccess(list -> {
      JsonArray out = new JsonArray();
      list.forEach(n -> out.add(shown(n)));
      Api.ok(ctx, new JsonObject().put("notifiers", out));
    }).onFailure(ctx::fail);
  }

  private void notifier(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    store.notifier(name).onSuccess(notifier -> {
      if (notifier.isEmpty()) {
        ctx.fail(ApiError.notFound("no notifier named " + name));
      } else {
        Api.ok(ctx, shown(notifier.get()));
      }
    }).onFailure(ctx::fail);
  }

  private void putNotifier(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    JsonObject json = body(ctx);
    store.notifier(name).compose(previous -> {
      NotifierConfig notifier;
      try {
        notifier = NotifierConfig.parse(name, json, plugins, previous.orElse(null));
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(ApiError.badRequest(e.getMessage()));
      }
      return limits.roomFor(ApiLimits.Kind.NOTIFIERS, previous.isPresent(), store.notifiers().map(List::size))
          .compose(room -> store.putNotifier(notifier)).map(existed -> {
        Audit.record(ctx, "notifier.put", name);
        changed(AlertConfigChanged.NOTIFIER, name);
        Api.reply(ctx, existed ? 200 : 201, shown(notifier));
        return null;
      });
    }).onFailure(ctx::fail);
  }

  private void removeNotifier(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    store.removeNotifier(name).onSuccess(existed -> {
      if (!existed) {
        ctx.fail(ApiError.notFound("no notifier named " + name));
        return;
      }
      Audit.record(ctx, "notifier.remove", name);
      changed(AlertConfigChanged.NOTIFIER, name);
      ctx.response().setStatusCode(204).end();
    }).onFailure(ctx::fail);
  }

  private void silences(RoutingContext ctx) {
    String state = ctx.queryParams().get("state");
    if (state != null && !Set.of("active", "pending", "expired").contains(state)) {
      throw ApiError.badRequest("state must be active, pending or expired; got '" + state + "'");
    }
    long now = System.currentTimeMillis();
    store.silences().onSuccess(list -> {
      JsonArray out = new JsonArray();
      list.stream().filter(s -> state == null || s.state(now).equals(state)).forEach(s -> out.add(s.toJson(now)));
      Api.ok(ctx, new JsonObject().put("silences", out));
    }).onFailure(ctx::fail);
  }

  private void silence(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    long now = System.currentTimeMillis();
    store.silences().onSuccess(list -> list.stream().filter(s -> s.id().equals(id)).findFirst().ifPresentOrElse(
        s -> Api.ok(ctx, s.toJson(now)), () -> ctx.fail(ApiError.notFound("no silence " + id)))).onFailure(ctx::fail);
  }

  private void postSilence(RoutingContext ctx) {
    Silence silence;
    try {
      silence = Silence.parse(UUID.randomUUID().toString(), body(ctx), System.currentTimeMillis());
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(e.getMessage());
    }
    long now = System.currentTimeMillis();
    limits.roomFor(ApiLimits.Kind.SILENCES, false, store.silences().map(list -> (int) list.stream().filter(s -> !s.state(now).equals("expired")).count()))
        .compose(room -> store.putSilence(silence)).onSuccess(v -> {
      Audit.record(ctx, "silence.create", silence.id());
      changed(AlertConfigChanged.SILENCE, silence.id());
      Api.reply(ctx, 201, new JsonObject().put("id", silence.id()));
    }).onFailure(ctx::fail);
  }

  private void expireSilence(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    long now = System.currentTimeMillis();
    store.silences().compose(list -> {
      Silence found = list.stream().filter(s -> s.id().equals(id)).findFirst().orElse(null);
      if (found == null) {
        return Future.failedFuture(ApiError.notFound("no silence " + id));
      }
      if (found.endsAt() <= now) {
        return Future.succeededFuture();
      }
      return store.putSilence(found.expired(now)).onSuccess(v -> {
        Audit.record(ctx, "silence.expire", id);
        changed(AlertConfigChanged.SILENCE, id);
      });
    }).onSuccess(v -> ctx.response().setStatusCode(204).end()).onFailure(ctx::fail);
  }

  /** Alerts with their silences, inhibition and notifications; filters state, severity, agent, rule. */
  private void alerts(RoutingContext ctx) {
    String state = ctx.queryParams().get("state");
    if (state != null && !Set.of("pending", "firing", "resolved").contains(state.toLowerCase(Locale.ROOT))) {
      throw ApiError.badRequest("state must be pending, firing or resolved; got '" + state + "'");
    }
    String severity = ctx.queryParams().get("severity");
    String agent = ctx.queryParams().get("agent");
    String ruleName = ctx.queryParams().get("rule");
    long now = System.currentTimeMillis();
    Future<List<JsonObject>> recentJobs = jobs == null ? Future.succeededFuture(List.of()) : jobs.headers(REMEDIATION_LOOKBACK);
    Future.all(store.alerts(), store.silences(), store.notifications(), store.rules(), recentJobs).onSuccess(all -> {
      Map<String, JsonArray> remediations = new HashMap<>();
      for (JsonObject job : (List<JsonObject>) all.resultAt(4)) {
        JsonObject remediation = job.getJsonObject("origin", new JsonObject()).getJsonObject("remediation");
        if (remediation != null) {
          remediations.computeIfAbsent(remediation.getString("fingerprint"), k -> new JsonArray())
              .add(new JsonObject().put("job", job.getString("id")).put("state", job.getString("state")).put("createdAt", job.getLong("createdAt")));
        }
      }
      List<AlertState> alerts = all.resultAt(0);
      List<Silence> silences = all.resultAt(1);
      Map<String, List<NotificationRecord>> records = all.resultAt(2);
      Map<String, Rule> rules = new HashMap<>();
      ((List<Rule>) all.resultAt(3)).forEach(r -> rules.put(r.name(), r));
      Inhibitor inhibitor = new Inhibitor(true);
      Set<String> down = inhibitor.downAgents(alerts, rules);
      JsonArray out = new JsonArray();
      alerts.stream()
          .filter(a -> state == null || a.state().wireName().equals(state.toLowerCase(Locale.ROOT)))
          .filter(a -> severity == null || severity.equals(a.labels().get("severity")))
          .filter(a -> agent == null || agent.equals(a.labels().get("agent")))
          .filter(a -> ruleName == null || ruleName.equals(a.rule()))
          .sorted(Comparator.comparing(AlertState::activeAt).reversed().thenComparing(AlertState::fingerprint))
          .forEach(a -> {
            JsonArray sent = new JsonArray();
            records.getOrDefault(a.fingerprint(), List.of()).forEach(r -> sent.add(r.toJson()));
            out.add(a.toJson().put("silencedBy", new JsonArray(Silencer.silencedBy(a.labels(), silences, now)))
                .put("inhibited", inhibitor.inhibited(a, down, rules)).put("notifications", sent)
                .put("remediations", remediations.getOrDefault(a.fingerprint(), new JsonArray())));
          });
      Api.ok(ctx, new JsonObject().put("alerts", out));
    }).onFailure(ctx::fail);
  }
}
