package io.mirador.hub.web;

import io.mirador.config.Settings;
import io.mirador.metrics.Meters;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * How much of what clients define the hub holds (docs/SECURITY.md, "Hardening and limits"): at most so many check
 * definitions, rules, notifiers and silences, each of at most so many bytes, and at most so many tags and series in
 * one series query. A definition beyond its count is refused with 409 and counted
 * ({@code mirador_api_limit_refused_total{what}}); changing one that exists is always allowed. The count is read from
 * the store before the write, so concurrent creations may go a few beyond it, never more than the requests in flight.
 */
public final class ApiLimits {

  public enum Kind {
    CHECKS("hub.checks.max"), RULES("hub.alert.maxRules"), NOTIFIERS("hub.alert.maxNotifiers"), SILENCES("hub.alert.maxSilences");

    final String setting;

    Kind(String setting) {
      this.setting = setting;
    }

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final Map<Kind, Integer> max = new java.util.EnumMap<>(Kind.class);
  private final int maxDefinitionBytes;
  private final int maxQueryTags;
  private final int maxQuerySeries;
  private final Meters meters;
  private final Map<String, LongAdder> refused = new ConcurrentHashMap<>();

  public ApiLimits(Vertx vertx, JsonObject config) {
    JsonObject checks = Settings.section(config, "hub", "checks");
    JsonObject alert = Settings.section(config, "hub", "alert");
    JsonObject limits = Settings.section(config, "http", "limits");
    max.put(Kind.CHECKS, Settings.positiveInt(checks, "max", 1_000));
    max.put(Kind.RULES, Settings.positiveInt(alert, "maxRules", 1_000));
    max.put(Kind.NOTIFIERS, Settings.positiveInt(alert, "maxNotifiers", 100));
    max.put(Kind.SILENCES, Settings.positiveInt(alert, "maxSilences", 1_000));
    maxDefinitionBytes = Settings.positiveInt(limits, "maxDefinitionBytes", 64 * 1024);
    maxQueryTags = Settings.positiveInt(limits, "maxQueryTags", 32);
    maxQuerySeries = Settings.positiveInt(limits, "maxQuerySeries", 1_000);
    meters = Meters.of(vertx);
  }

  /** Limits with every default, for APIs built without a configuration (tests). */
  public static ApiLimits defaults(Vertx vertx) {
    return new ApiLimits(vertx, new JsonObject());
  }

  public int max(Kind kind) {
    return max.get(kind);
  }

  public int maxQueryTags() {
    return maxQueryTags;
  }

  public int maxQuerySeries() {
    return maxQuerySeries;
  }

  /** Refuses (400) a definition body larger than {@code http.limits.maxDefinitionBytes}. */
  public void checkDefinitionSize(RoutingContext ctx) {
    int length = ctx.body().length();
    if (length > maxDefinitionBytes) {
      count("definition_size");
      throw new ApiError(413, "payload too large",
          "a definition may have at most " + maxDefinitionBytes + " bytes (http.limits.maxDefinitionBytes), this one has " + length);
    }
  }

  /**
   * Succeeds when one more of {@code kind} may be created: {@code exists} (a replacement) or fewer than its maximum are
   * held; fails with a 409 that names the setting otherwise.
   */
  public Future<Void> roomFor(Kind kind, boolean exists, Future<Integer> held) {
    if (exists) {
      return Future.succeededFuture();
    }
    return held.compose(count -> {
      if (count < max(kind)) {
        return Future.succeededFuture();
      }
      count(kind.label());
      return Future.failedFuture(ApiError.conflict(count + " " + kind.label() + " are defined, the most this hub holds ("
          + kind.setting + " = " + max(kind) + "); remove one first"));
    });
  }

  /** Counts a refusal for going beyond a limit, by what. */
  public void count(String what) {
    refused.computeIfAbsent(what, key -> meters.counter("mirador_api_limit_refused_total",
        "API requests refused for going beyond a limit, by what: checks, rules, notifiers, silences (count), definition_size, "
            + "query_tags, query_series", Map.of("what", key))).increment();
  }
}
