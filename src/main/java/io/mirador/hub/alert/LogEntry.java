package io.mirador.hub.alert;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.TreeSet;

/**
 * The notification log's entry for one group of one notifier (Alertmanager's nflog): which alerts were firing and
 * which resolved in the last notification, and when it went. A send in progress is recorded first
 * ({@code claimedAt} &gt; 0, {@code sentAt} of the previous one), so an owner taking over in the middle of it waits
 * for it instead of sending the same again.
 */
public record LogEntry(String notifier, String groupKey, Set<String> firing, Set<String> resolved, long sentAt, long claimedAt) {

  public LogEntry {
    firing = Set.copyOf(firing);
    resolved = Set.copyOf(resolved);
  }

  public JsonObject toStored() {
    return new JsonObject().put("notifier", notifier).put("groupKey", groupKey).put("firing", new JsonArray(new TreeSet<>(firing).stream().toList()))
        .put("resolved", new JsonArray(new TreeSet<>(resolved).stream().toList())).put("sentAt", sentAt).put("claimedAt", claimedAt);
  }

  public static LogEntry fromStored(JsonObject json) {
    Set<String> firing = new TreeSet<>();
    json.getJsonArray("firing", new JsonArray()).forEach(f -> firing.add((String) f));
    Set<String> resolved = new TreeSet<>();
    json.getJsonArray("resolved", new JsonArray()).forEach(f -> resolved.add((String) f));
    return new LogEntry(json.getString("notifier"), json.getString("groupKey"), firing, resolved, json.getLong("sentAt", 0L),
        json.getLong("claimedAt", 0L));
  }

  /** The store's field for one group of one notifier. */
  public static String key(String notifier, String groupKey) {
    return notifier + "\u0000" + groupKey;
  }
}
