package io.mirador.store.redis;

import java.util.function.LongSupplier;

/**
 * Keeps a Redis outage from turning every call into a fresh connection attempt. After a call failed for want of a
 * connection, calls fail at once for a pause; then the next call goes through as the probe. The pause starts at
 * {@code minMs} and doubles with each failed probe up to {@code maxMs}; one success closes the gate. The
 * connections themselves are the pool's business: it opens a new one on demand once the old ones are gone.
 */
final class ReconnectGate {

  private final long minMs;
  private final long maxMs;
  private final LongSupplier clock;
  private volatile long retryAt;
  private volatile boolean open = true;
  private long pauseMs;
  private String reason;

  ReconnectGate(long minMs, long maxMs, LongSupplier clock) {
    this.minMs = minMs;
    this.maxMs = maxMs;
    this.clock = clock;
  }

  /** Null when a call may go to Redis, else why not, with how long until the next try. */
  String refusal() {
    if (open) {
      return null;
    }
    long wait = retryAt - clock.getAsLong();
    if (wait <= 0) {
      return null;
    }
    synchronized (this) {
      return "unavailable (" + reason + "); next try in " + wait + " ms";
    }
  }

  void succeeded() {
    if (!open) {
      synchronized (this) {
        open = true;
        pauseMs = 0;
        reason = null;
      }
    }
  }

  synchronized void failed(String why) {
    long now = clock.getAsLong();
    reason = why;
    if (!open && now < retryAt) {
      return; // a call that was under way when the gate closed: same outage, same pause
    }
    pauseMs = open ? minMs : Math.min(maxMs, Math.max(minMs, pauseMs * 2));
    retryAt = now + pauseMs;
    open = false;
  }

  boolean isOpen() {
    return open;
  }
}
