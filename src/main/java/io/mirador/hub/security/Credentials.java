package io.mirador.hub.security;

import io.vertx.ext.auth.hashing.HashingStrategy;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

/**
 * How secrets are made and kept. Passwords are hashed with PBKDF2 (HMAC-SHA-512, {@value #PBKDF2_ITERATIONS}
 * iterations, 16 random bytes of salt) by vertx-auth's {@link HashingStrategy}, in its PHC-like string
 * ({@code $pbkdf2$it=...$salt$hash}) that names the algorithm and its cost, so a later, costlier setting still verifies
 * the hashes made before. Hashing a password takes tens of milliseconds by design: callers run it on a worker.
 *
 * <p>API tokens are 32 random bytes made here, never chosen by people: guessing one is hopeless whatever the hash, so
 * they are kept as a plain SHA-256, which lets every request find its token in one store lookup at no CPU cost.
 */
public final class Credentials {

  /** OWASP's 2023 figure for PBKDF2-HMAC-SHA-512. */
  public static final int PBKDF2_ITERATIONS = 210_000;
  /** What every API token starts with, so a leaked one is recognisable (secret scanners) and told from a session. */
  public static final String TOKEN_PREFIX = "mirador_";
  /** Shortest password accepted. */
  public static final int MIN_PASSWORD = 8;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HashingStrategy STRATEGY = HashingStrategy.load();

  private Credentials() {
  }

  /** The PBKDF2 hash of a password, with a fresh salt. Slow by design: not on an event loop. */
  public static String hashPassword(String password) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    return STRATEGY.hash("pbkdf2", Map.of("it", Integer.toString(PBKDF2_ITERATIONS)),
        Base64.getEncoder().withoutPadding().encodeToString(salt), password);
  }

  /** Whether {@code password} is the one {@code hash} was made from. Slow by design: not on an event loop. */
  public static boolean verifyPassword(String hash, String password) {
    if (hash == null || password == null) {
      return false;
    }
    try {
      return STRATEGY.verify(hash, password);
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** A reason the password is not acceptable, or null. */
  public static String passwordProblem(String password) {
    if (password == null || password.length() < MIN_PASSWORD) {
      return "a password has at least " + MIN_PASSWORD + " characters";
    }
    if (password.length() > 1024) {
      return "a password has at most 1024 characters";
    }
    return null;
  }

  /** A new API token: the prefix and 32 random bytes, URL-safe. */
  public static String newToken() {
    return TOKEN_PREFIX + randomText(32);
  }

  /** {@code bytes} random bytes as URL-safe base64 without padding. */
  public static String randomText(int bytes) {
    byte[] random = new byte[bytes];
    RANDOM.nextBytes(random);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
  }

  /** What the store keeps of an API token: its SHA-256, hex. */
  public static String tokenHash(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  /** Whether {@code text} looks like an API token (rather than a session). */
  public static boolean isApiToken(String text) {
    return text.startsWith(TOKEN_PREFIX);
  }
}
