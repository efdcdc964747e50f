package io.mirador.hub.cluster;

import java.util.regex.Pattern;

/**
 * A named lease as the store saw it: who holds it, with which fencing token, since when and until when. Times are
 * epoch milliseconds on the store's clock (Redis's own in hub mode), not on the clock of the node that asked.
 *
 * @param name      what the lease guards, e.g. {@code heartbeat-sweep}
 * @param owner     who holds it: unique per process, e.g. node id plus a random suffix
 * @param token     the fencing token, strictly greater than every token handed out before for this name
 * @param since     when this owner acquired it (renewals keep it)
 * @param expiresAt when it lapses unless renewed
 */
public record Lease(String name, String owner, long token, long since, long expiresAt) {

  /** Longest ttl accepted: a lease is renewed every few seconds; anything longer is a lock that outlives its owner. */
  public static final long MAX_TTL_MS = 86_400_000;

  /**
   * Names are keys in the store ({@code <prefix>lease:<name>}); this alphabet keeps them from colliding with the
   * token counter ({@code <prefix>lease:<name>:token}) and from needing any escaping.
   */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");

  private static final int MAX_OWNER = 200;

  public Lease {
    requireName(name);
    requireOwner(owner);
    requireToken(token);
  }

  /** A fence for writes made on behalf of this owner. */
  public Fence fence() {
    return new Fence(name, token);
  }

  /** The name, or an {@link IllegalArgumentException} saying what a name may be. */
  public static String requireName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("lease name must be 1 to 100 of A-Z a-z 0-9 . _ -, got "
          + (name == null ? "null" : "'" + name + "'"));
    }
    return name;
  }

  public static String requireOwner(String owner) {
    if (owner == null || owner.isBlank() || owner.length() > MAX_OWNER) {
      throw new IllegalArgumentException("lease owner must be non-blank and at most " + MAX_OWNER + " characters, got "
          + (owner == null ? "null" : "'" + owner + "'"));
    }
    return owner;
  }

  public static long requireToken(long token) {
    if (token < 1) {
      throw new IllegalArgumentException("a fencing token is at least 1, got " + token);
    }
    return token;
  }

  public static long requireTtl(long ttlMs) {
    if (ttlMs <= 0 || ttlMs > MAX_TTL_MS) {
      throw new IllegalArgumentException("lease ttl must be between 1 and " + MAX_TTL_MS + " ms, got " + ttlMs);
    }
    return ttlMs;
  }
}
