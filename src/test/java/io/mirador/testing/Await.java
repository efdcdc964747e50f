package io.mirador.testing;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** Blocking helpers for tests: wait for a future, or for a condition polled on a Vert.x timer. */
public final class Await {

  private Await() {
  }

  public static <T> T result(Future<T> future) {
    return result(future, Duration.ofSeconds(30));
  }

  public static <T> T result(Future<T> future, Duration timeout) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("future failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("no result within " + timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted");
    }
  }

  /**
   * Polls {@code probe} every {@code every} until it yields a value, and returns it; fails with {@code what}
   * when {@code timeout} passes first. A failed probe counts as "not yet".
   */
  public static <T> T until(Vertx vertx, String what, Duration timeout, Duration every, Supplier<Future<Optional<T>>> probe) {
    Promise<T> found = Promise.promise();
    long deadline = System.nanoTime() + timeout.toNanos();
    poll(vertx, found, deadline, every.toMillis(), probe);
    try {
      return found.future().toCompletionStage().toCompletableFuture().get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("waited " + timeout + " for " + what + ": " + e.getCause().getMessage());
    } catch (TimeoutException | InterruptedException e) {
      throw new AssertionError("waited " + timeout + " for " + what);
    }
  }

  public static <T> T until(Vertx vertx, String what, Duration timeout, Supplier<Future<Optional<T>>> probe) {
    return until(vertx, what, timeout, Duration.ofMillis(200), probe);
  }

  /** Like {@link #until}, for a blocking condition: it is evaluated on a worker thread, never on an event loop. */
  public static void untilTrue(Vertx vertx, String what, Duration timeout, java.util.concurrent.Callable<Boolean> condition) {
    until(vertx, what, timeout, () -> vertx.executeBlocking(() -> condition.call() ? Optional.of(true) : Optional.<Boolean>empty(), false));
  }

  /**
   * Blocks the test thread until {@code condition} holds, checking it every {@code every}; fails with what was
   * awaited (asked only then, so it can describe the state at the deadline) once {@code timeout} has passed.
   * For conditions read without Vert.x (files, a broker's queue, counters); never call it on an event loop.
   */
  public static void condition(Duration timeout, Duration every, java.util.function.BooleanSupplier condition,
      java.util.function.Supplier<String> what) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting: " + what.get());
      }
      TimeUnit.MILLISECONDS.sleep(every.toMillis()); // the poll interval between two checks, not a wait in itself
    }
  }

  private static <T> void poll(Vertx vertx, Promise<T> found, long deadline, long everyMs, Supplier<Future<Optional<T>>> probe) {
    Future<Optional<T>> attempt;
    try {
      attempt = probe.get();
    } catch (RuntimeException e) {
      attempt = Future.failedFuture(e);
    }
    attempt.onComplete(result -> {
      if (result.succeeded() && result.result().isPresent()) {
        found.complete(result.result().get());
      } else if (System.nanoTime() > deadline) {
        found.fail(result.failed() ? "last attempt failed: " + result.cause() : "condition never held");
      } else {
        vertx.setTimer(everyMs, id -> poll(vertx, found, deadline, everyMs, probe));
      }
    });
  }
}
