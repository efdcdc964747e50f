package io.mirador.hub.alert.notify;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code webhook}: posts Alertmanager's webhook payload (version 4) as JSON to {@code url}, so receivers written for
 * Alertmanager work unchanged. Fields: {@code url} (required), {@code headers} (object; a secret, e.g. an
 * Authorization header), {@code bearerToken} (secret; sent as {@code Authorization: Bearer …}), {@code maxAlerts}
 * (0 = all; beyond it the payload is cut and {@code truncatedAlerts} says how many were left out).
 */
public final class WebhookNotifier implements Notifier {

  @Override
  public String type() {
    return "webhook";
  }

  @Override
  public JsonObject validate(JsonObject settings) {
    Settings.only(type(), settings, Set.of("url", "headers", "bearerToken", "maxAlerts"));
    JsonObject valid = new JsonObject().put("url", HttpPost.requireUrl("url", settings.getValue("url")));
    valid.put("headers", new JsonObject(new HashMap<>(Settings.strings(settings, "headers"))));
    if (settings.containsKey("bearerToken")) {
      valid.put("bearerToken", Settings.string(settings, "bearerToken", null));
    }
    Object max = settings.getValue("maxAlerts", 0);
    if (!(max instanceof Integer m) || m < 0) {
      throw new IllegalArgumentException("maxAlerts must be a whole number, 0 for all");
    }
    return valid.put("maxAlerts", max);
  }

  @Override
  public Set<String> secrets() {
    return Set.of("headers", "bearerToken");
  }

  @Override
  public Future<Void> send(NotifierContext context, NotifierConfig config, Notification notification) {
    JsonObject settings = config.settings();
    JsonObject payload = notification.toWebhookJson();
    int max = settings.getInteger("maxAlerts", 0);
    JsonArray alerts = payload.getJsonArray("alerts");
    if (max > 0 && alerts.size() > max) {
      payload.put("truncatedAlerts", alerts.size() - max).put("alerts", new JsonArray(alerts.getList().subList(0, max)));
    }
    Map<String, String> headers = Settings.strings(settings, "headers");
    if (settings.getString("bearerToken") != null) {
      headers.put("Authorization", "Bearer " + settings.getString("bearerToken"));
    }
    return HttpPost.postJson(context, settings.getString("url"), payload, headers, config.timeoutMs()).mapEmpty();
  }
}
