package io.mirador.metrics;

import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures how late a periodic timer fires on an event loop: a busy or blocked loop shows as lag.
 * Exposed as {@code mirador_event_loop_lag_seconds} (the lag of the latest tick) and its maximum since start.
 */
public final class EventLoopLagProbe {

  private static final long PERIOD_MS = 500;

  private final Vertx vertx;
  private final AtomicLong lastLagNanos = new AtomicLong();
  private final AtomicLong maxLagNanos = new AtomicLong();
  private volatile boolean running = true;
  private long timerId = -1;

  public EventLoopLagProbe(Vertx vertx, Meters meters) {
    this.vertx = vertx;
    meters.gauge("mirador_event_loop_lag_seconds", "How late the last probe timer fired on an event loop", () -> lastLagNanos.get() / 1e9);
    meters.gauge("mirador_event_loop_lag_max_seconds", "Largest event-loop lag seen since start", () -> maxLagNanos.get() / 1e9);
  }

  public void start() {
    schedule();
  }

  // a chained one-shot timer, not a periodic one: a fixed-rate periodic would fire early after a late tick
  private void schedule() {
    long expectedAt = System.nanoTime() + PERIOD_MS * 1_000_000;
    timerId = vertx.setTimer(PERIOD_MS, id -> {
      long lag = Math.max(0, System.nanoTime() - expectedAt);
      lastLagNanos.set(lag);
      maxLagNanos.accumulateAndGet(lag, Math::max);
      if (running) {
        schedule();
      }
    });
  }

  public void stop() {
    running = false;
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
  }
}
