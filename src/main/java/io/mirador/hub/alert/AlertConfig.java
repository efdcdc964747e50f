package io.mirador.hub.alert;

import io.mirador.config.Settings;
import io.mirador.hub.alert.notify.NotifierConfig;
import io.mirador.hub.alert.notify.Notifiers;
import io.mirador.hub.alert.pipeline.Retry;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** The {@code hub.alert} section (conf/mirador.yaml documents every key), read and checked once. */
public record AlertConfig(long evalIntervalMs, String externalUrl, boolean inhibitWhenAgentDown, Evaluator.Limits limits, int maxGroups,
    int maxPendingWrites, Retry retry, List<Rule> rules, List<NotifierConfig> notifiers, long expiredSilenceRetentionMs,
    long valueRefreshMs) {

  public static AlertConfig of(JsonObject config, Notifiers plugins) {
    JsonObject alert = Settings.section(config, "hub", "alert");
    Evaluator.Limits limits = new Evaluator.Limits(
        Settings.positiveInt(alert, "maxAlerts", 10_000),
        Settings.positiveInt(alert, "maxSeriesPerRule", 10_000),
        Settings.positiveInt(alert, "maxPointsPerWindow", 10_000),
        Settings.positiveInt(alert, "staleAfterMs", 300_000),
        Settings.positiveInt(alert, "resolvedRetentionMs", 900_000));
    List<Rule> rules = new ArrayList<>();
    JsonObject ruleSection = alert.getJsonObject("rules", new JsonObject());
    for (String name : ruleSection.fieldNames()) {
      try {
        rules.add(Rule.parse(name, ruleSection.getJsonObject(name)));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("hub.alert.rules." + name + ": " + e.getMessage());
      }
    }
    List<NotifierConfig> notifiers = new ArrayList<>();
    JsonObject notifierSection = alert.getJsonObject("notifiers", new JsonObject());
    for (String name : notifierSection.fieldNames()) {
      try {
        notifiers.add(NotifierConfig.parse(name, notifierSection.getJsonObject(name), plugins, null));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("hub.alert.notifiers." + name + ": " + e.getMessage());
      }
    }
    return new AlertConfig(Settings.positiveInt(alert, "evalIntervalMs", 1_000), alert.getString("externalUrl", "http://127.0.0.1:8080"),
        alert.getBoolean("inhibitWhenAgentDown", true), limits, Settings.positiveInt(alert, "maxGroups", 10_000),
        Settings.positiveInt(alert, "maxPendingWrites", 10_000), Retry.from(alert.getJsonObject("retry", new JsonObject())), rules, notifiers,
        Settings.positiveInt(alert, "expiredSilenceRetentionMs", 432_000_000), Settings.positiveInt(alert, "valueRefreshMs", 10_000));
  }
}
