package io.mirador.hub.alert.notify;

import io.mirador.hub.alert.AlertState;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code alertmanager}: posts the alerts to an existing Alertmanager's {@code /api/v2/alerts}, as Prometheus does, for
 * teams that already route there. Field: {@code url} (required: the Alertmanager's base URL, e.g.
 * {@code http://alertmanager:9093}). A firing alert is sent with {@code endsAt} four repeat intervals ahead (Prometheus
 * does the same with its resend delay), so give this notifier a short {@code repeatInterval} such as 1m: Alertmanager
 * then keeps it firing while Mirador keeps sending it, and resolves it by itself if Mirador goes silent. A resolved
 * alert is sent with its real {@code endsAt}.
 */
public final class AlertmanagerNotifier implements Notifier {

  @Override
  public String type() {
    return "alertmanager";
  }

  @Override
  public JsonObject validate(JsonObject settings) {
    Settings.only(type(), settings, Set.of("url"));
    String url = HttpPost.requireUrl("url", settings.getValue("url"));
    return new JsonObject().put("url", url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
  }

  static JsonArray alerts(Notification notification, long repeatMs, long now) {
    JsonArray alerts = new JsonArray();
    for (AlertState alert : notification.alerts()) {
      boolean resolved = alert.state() == AlertState.State.RESOLVED;
      alerts.add(new JsonObject().put("labels", new JsonObject(new TreeMap<>(alert.labels())))
          .put("annotations", new JsonObject(new TreeMap<>(alert.annotations())))
          .put("startsAt", Notification.startsAt(alert))
          .put("endsAt", Instant.ofEpochMilli(resolved ? alert.resolvedAt() : now + 4 * repeatMs).toString())
          .put("generatorURL", notification.externalUrl() + "/#alerts"));
    }
    return alerts;
  }

  @Override
  public Future<Void> send(NotifierContext context, NotifierConfig config, Notification notification) {
    JsonArray body = alerts(notification, config.repeatIntervalMs(), System.currentTimeMillis());
    return HttpPost.post(context, config.settings().getString("url") + "/api/v2/alerts", "application/json", body.toBuffer(), Map.of(),
        config.timeoutMs()).mapEmpty();
  }
}
