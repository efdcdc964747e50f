package io.mirador.hub.security;

import java.util.Objects;

/**
 * Who is calling: a user, an API token, or the local caller of a standalone hub with authentication off.
 *
 * @param name the user's name, the token's id, or {@code local}
 * @param kind {@code user}, {@code token} or {@code local}
 * @param role what it may do
 */
public record Principal(String name, String kind, Role role) {

  /** The caller of a standalone hub on loopback with authentication off: may do everything. */
  public static final Principal LOCAL = new Principal("local", "local", Role.ADMIN);

  public Principal {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(role, "role");
  }
}
