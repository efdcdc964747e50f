package io.mirador.hub.alert;

import io.vertx.core.json.JsonObject;

/**
 * What one notifier did about one alert: {@code status} is the alert's state it told ({@code firing} or
 * {@code resolved}), {@code outcome} {@code sent} or {@code failed} after {@code attempts}, {@code error} the last
 * failure (null when sent).
 */
public record NotificationRecord(String notifier, String status, String outcome, long at, int attempts, String error) {

  public JsonObject toJson() {
    return new JsonObject().put("notifier", notifier).put("status", status).put("outcome", outcome).put("at", AlertState.iso(at))
        .put("attempts", attempts).put("error", error);
  }

  public JsonObject toStored() {
    return new JsonObject().put("notifier", notifier).put("status", status).put("outcome", outcome).put("at", at)
        .put("attempts", attempts).put("error", error);
  }

  public static NotificationRecord fromStored(JsonObject json) {
    return new NotificationRecord(json.getString("notifier"), json.getString("status"), json.getString("outcome"), json.getLong("at"),
        json.getInteger("attempts"), json.getString("error"));
  }
}
