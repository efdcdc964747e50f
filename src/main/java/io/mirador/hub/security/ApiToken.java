package io.mirador.hub.security;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * An API token as the store keeps it: the SHA-256 of the secret, never the secret (shown once, when created).
 *
 * @param id        short public id, to list and revoke it by
 * @param hash      {@link Credentials#tokenHash} of the secret
 * @param name      what it is for, free text (at most 200 characters)
 * @param role      what its bearer may do
 * @param createdAt epoch ms
 * @param createdBy the principal that created it ({@code first-start}, {@code cli}, or a user or token)
 */
public record ApiToken(String id, String hash, String name, Role role, long createdAt, String createdBy) {

  public ApiToken {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(hash, "hash");
    Objects.requireNonNull(role, "role");
    name = name == null ? "" : name;
    createdBy = createdBy == null ? "" : createdBy;
  }

  /** A new token record for {@code secret}, with a fresh id. */
  public static ApiToken issue(String secret, String name, Role role, String createdBy, long now) {
    return new ApiToken("tok-" + Credentials.randomText(6), Credentials.tokenHash(secret), name, role, now, createdBy);
  }

  public JsonObject toJson() {
    return view().put("hash", hash);
  }

  public static ApiToken fromJson(JsonObject json) {
    return new ApiToken(json.getString("id"), json.getString("hash"), json.getString("name"), Role.parse(json.getString("role")),
        json.getLong("createdAt", 0L), json.getString("createdBy"));
  }

  /** What the API and the CLI show: everything but the hash. */
  public JsonObject view() {
    return new JsonObject().put("id", id).put("name", name).put("role", role.wireName()).put("createdAt", createdAt)
        .put("createdBy", createdBy);
  }
}
