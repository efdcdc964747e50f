package io.mirador.util;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * One store call per item (per agent, as a rule) with at most {@code concurrency} of them in flight. A fleet-wide
 * read fired all at once would queue thousands of calls in the store's connection pool, whose wait queue is
 * bounded: past it every call is refused, and the read fails for good once the fleet outgrows the bound.
 */
public final class FanOut {

  /** What fleet-wide reads use: enough to keep a pool of connections busy, far below its wait queue. */
  public static final int DEFAULT_CONCURRENCY = 64;

  private FanOut() {
  }

  /** The results in the order of {@code items}; fails with the first failure, and then starts no further call. */
  public static <I, R> Future<List<R>> map(List<I> items, int concurrency, Function<I, Future<R>> call) {
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
    }
    List<R> results = new ArrayList<>(Collections.nCopies(items.size(), null));
    Promise<List<R>> done = Promise.promise();
    if (items.isEmpty()) {
      return Future.succeededFuture(results);
    }
    new Object() {
      int next;
      int running;
      int finished;
      /** One thread starts calls at a time; a completion meanwhile asks it to look again (no recursion). */
      boolean pumping;
      boolean again;

      void pump() {
        synchronized (this) {
          if (pumping) {
            again = true;
            return;
          }
          pumping = true;
        }
        while (true) {
          int index;
          synchronized (this) {
            if (running == concurrency || next == items.size() || done.future().isComplete()) {
              if (!again) {
                pumping = false;
                return;
              }
              again = false;
              continue;
            }
            index = next++;
            running++;
          }
          Future<R> started;
          try {
            started = call.apply(items.get(index));
          } catch (RuntimeException e) {
            started = Future.failedFuture(e);
          }
          started.onComplete(outcome -> finished(index, outcome.failed() ? null : outcome.result(), outcome.cause()));
        }
      }

      void finished(int index, R result, Throwable failure) {
        synchronized (this) { // completions may come on several event loops
          running--;
          if (failure != null) {
            done.tryFail(failure);
            return;
          }
          results.set(index, result);
          if (++finished == items.size()) {
            done.tryComplete(results);
            return;
          }
        }
        pump();
      }
    }.pump();
    return done.future();
  }
}
