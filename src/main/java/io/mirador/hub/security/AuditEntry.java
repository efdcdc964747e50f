package io.mirador.hub.security;

import io.vertx.core.json.JsonObject;

/**
 * One change, as the audit log keeps it.
 *
 * @param ts        epoch ms
 * @param principal who: a user's name, a token's id, {@code local} or {@code cli}
 * @param kind      {@code user}, {@code token}, {@code local} or {@code cli}
 * @param action    what, as {@code <thing>.<verb>}: {@code check.put}, {@code user.remove}, ...
 * @param target    the name or id of what changed
 * @param remote    the caller's address ({@code cli} for the command line)
 */
public record AuditEntry(long ts, String principal, String kind, String action, String target, String remote) {

  public JsonObject toJson() {
    return new JsonObject().put("ts", ts).put("principal", principal).put("kind", kind).put("action", action)
        .put("target", target).put("remote", remote);
  }

  public static AuditEntry fromJson(JsonObject json) {
    return new AuditEntry(json.getLong("ts", 0L), json.getString("principal", ""), json.getString("kind", ""),
        json.getString("action", ""), json.getString("target", ""), json.getString("remote", ""));
  }
}
