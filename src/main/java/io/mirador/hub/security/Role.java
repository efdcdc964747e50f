package io.mirador.hub.security;

import java.util.Locale;

/**
 * What a caller of the API may do. Roles are ordered: each one may do everything the one before it may.
 * <ul>
 *   <li>{@code viewer}: read everything but secrets;</li>
 *   <li>{@code operator}: also change checks, rules, silences, and run jobs;</li>
 *   <li>{@code admin}: also users, tokens, notifiers, enrollment, everything.</li>
 * </ul>
 */
public enum Role {
  VIEWER, OPERATOR, ADMIN;

  /** True when this role may do what {@code needed} may. */
  public boolean covers(Role needed) {
    return compareTo(needed) >= 0;
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code viewer}, {@code operator} or {@code admin}; anything else is an IllegalArgumentException. */
  public static Role parse(String text) {
    if (text != null) {
      for (Role role : values()) {
        if (role.wireName().equals(text.trim().toLowerCase(Locale.ROOT))) {
          return role;
        }
      }
    }
    throw new IllegalArgumentException("role must be viewer, operator or admin, not " + text);
  }
}
