package io.mirador.hub.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The login limiter on a clock: per address and per user, within a sliding window, bounded. */
class LoginLimiterTest {

  private final AtomicLong now = new AtomicLong(1_000_000);
  private final LoginLimiter limiter = new LoginLimiter(3, 60_000, 4, now::get);

  @Test
  void pastTheFailuresOfTheWindowAnAddressWaitsUntilTheOldestLeavesIt() {
    for (int i = 0; i < 3; i++) {
      assertEquals(0, limiter.retryAfterSeconds("10.0.0.1", "u" + i));
      limiter.failed("10.0.0.1", "u" + i);
      now.addAndGet(10_000);
    }
    assertEquals(30, limiter.retryAfterSeconds("10.0.0.1", "anyone"), "the first failure leaves the window in 30 s");
    assertEquals(0, limiter.retryAfterSeconds("10.0.0.2", "u0"), "another address, another user");
    now.addAndGet(30_000);
    assertEquals(0, limiter.retryAfterSeconds("10.0.0.1", "anyone"));
  }

  @Test
  void aUserGuessedAtFromManyAddressesIsProtectedToo() {
    for (int i = 0; i < 3; i++) {
      limiter.failed("10.0.0." + i, "alice");
    }
    assertTrue(limiter.retryAfterSeconds("10.9.9.9", "alice") > 0);
    limiter.succeeded("alice");
    assertEquals(0, limiter.retryAfterSeconds("10.9.9.9", "alice"));
  }

  @Test
  void itFollowsABoundedNumberOfKeysAndCountsThoseItForgets() {
    for (int i = 0; i < 10; i++) {
      limiter.failed("10.0.0." + i, "u" + i);
    }
    assertEquals(16, limiter.forgotten(), "20 keys into 4 places");
  }
}
