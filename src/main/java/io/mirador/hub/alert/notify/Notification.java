package io.mirador.hub.alert.notify;

import io.mirador.hub.alert.AlertState;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One notification of one group to one notifier: what every plugin renders. {@link #toWebhookJson} is Alertmanager's
 * webhook payload, version 4, so receivers written for Alertmanager work unchanged.
 */
public record Notification(String receiver, String groupKey, Map<String, String> groupLabels, List<AlertState> alerts,
    String externalUrl) {

  /** What a firing alert's endsAt reads in Alertmanager's webhook. */
  static final String NO_END = "0001-01-01T00:00:00Z";

  public Notification {
    groupLabels = Map.copyOf(groupLabels);
    alerts = List.copyOf(alerts);
  }

  /** {@code firing} while any alert of it fires, else {@code resolved}. */
  public String status() {
    return alerts.stream().anyMatch(a -> a.state() != AlertState.State.RESOLVED) ? "firing" : "resolved";
  }

  public List<AlertState> firing() {
    return alerts.stream().filter(a -> a.state() != AlertState.State.RESOLVED).toList();
  }

  public List<AlertState> resolved() {
    return alerts.stream().filter(a -> a.state() == AlertState.State.RESOLVED).toList();
  }

  public Map<String, String> commonLabels() {
    return common(alerts.stream().map(AlertState::labels).toList());
  }

  public Map<String, String> commonAnnotations() {
    return common(alerts.stream().map(AlertState::annotations).toList());
  }

  private static Map<String, String> common(List<Map<String, String>> maps) {
    if (maps.isEmpty()) {
      return Map.of();
    }
    Map<String, String> common = new HashMap<>(maps.get(0));
    for (Map<String, String> map : maps.subList(1, maps.size())) {
      common.entrySet().removeIf(e -> !Objects.equals(map.get(e.getKey()), e.getValue()));
    }
    return new TreeMap<>(common);
  }

  public JsonObject toWebhookJson() {
    JsonArray list = new JsonArray();
    for (AlertState alert : alerts) {
      list.add(alertJson(alert));
    }
    return new JsonObject().put("version", "4").put("groupKey", groupKey).put("truncatedAlerts", 0).put("status", status())
        .put("receiver", receiver).put("groupLabels", new JsonObject(new TreeMap<>(groupLabels)))
        .put("commonLabels", new JsonObject(new TreeMap<>(commonLabels())))
        .put("commonAnnotations", new JsonObject(new TreeMap<>(commonAnnotations()))).put("externalURL", externalUrl).put("alerts", list);
  }

  /** One alert as Alertmanager writes it in webhooks. */
  public JsonObject alertJson(AlertState alert) {
    boolean resolved = alert.state() == AlertState.State.RESOLVED;
    return new JsonObject().put("status", resolved ? "resolved" : "firing").put("labels", new JsonObject(new TreeMap<>(alert.labels())))
        .put("annotations", new JsonObject(new TreeMap<>(alert.annotations()))).put("startsAt", startsAt(alert))
        .put("endsAt", resolved ? Instant.ofEpochMilli(alert.resolvedAt()).toString() : NO_END)
        .put("generatorURL", externalUrl + "/#alerts").put("fingerprint", alert.fingerprint());
  }

  static String startsAt(AlertState alert) {
    return Instant.ofEpochMilli(alert.firedAt() > 0 ? alert.firedAt() : alert.activeAt()).toString();
  }

  /** A one-line summary for chat notifiers: "[FIRING:2] HighCpu (critical)". */
  public String title() {
    Map<String, String> common = commonLabels();
    String name = common.getOrDefault("alertname", groupLabels.getOrDefault("alertname", groupKey));
    String severity = common.get("severity");
    String status = status();
    int count = status.equals("firing") ? firing().size() : resolved().size();
    return "[" + status.toUpperCase() + ":" + count + "] " + name + (severity == null ? "" : " (" + severity + ")");
  }

  /** Plain text for chat and mail: the title, then one line per alert with its summary or its labels. */
  public String text() {
    StringBuilder text = new StringBuilder(title()).append('\n');
    for (AlertState alert : alerts) {
      String summary = alert.annotations().getOrDefault("summary", alert.annotations().get("description"));
      text.append(alert.state() == AlertState.State.RESOLVED ? "RESOLVED " : "FIRING ")
          .append(summary != null ? summary : new TreeMap<>(alert.labels()).toString()).append('\n');
    }
    return text.toString();
  }
}
