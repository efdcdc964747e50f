package io.mirador.hub.security;

import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A person who logs in to the dashboard or the API.
 *
 * @param name         unique, 1 to 64 of letters, digits and {@code . _ @ -}
 * @param passwordHash {@link Credentials#hashPassword}; never leaves the hub
 * @param role         what the user may do
 * @param createdAt    epoch ms
 * @param passwordAt   epoch ms of the last password change: sessions issued before it are no longer valid
 */
public record User(String name, String passwordHash, Role role, long createdAt, long passwordAt) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

  public User {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(passwordHash, "passwordHash");
    Objects.requireNonNull(role, "role");
  }

  /** A reason the name is not acceptable, or null. */
  public static String nameProblem(String name) {
    return name != null && NAME.matcher(name).matches() ? null
        : "a user name is 1 to 64 letters, digits, '.', '_', '@' or '-'";
  }

  /** How the store keeps it. */
  public JsonObject toJson() {
    return new JsonObject().put("name", name).put("passwordHash", passwordHash).put("role", role.wireName())
        .put("createdAt", createdAt).put("passwordAt", passwordAt);
  }

  public static User fromJson(JsonObject json) {
    return new User(json.getString("name"), json.getString("passwordHash"), Role.parse(json.getString("role")),
        json.getLong("createdAt", 0L), json.getLong("passwordAt", 0L));
  }

  /** What the API shows: everything but the hash. */
  public JsonObject view() {
    return new JsonObject().put("name", name).put("role", role.wireName()).put("createdAt", createdAt).put("passwordAt", passwordAt);
  }
}
