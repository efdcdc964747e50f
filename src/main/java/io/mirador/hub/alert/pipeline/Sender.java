package io.mirador.hub.alert.pipeline;

import io.mirador.hub.alert.AlertState;
import io.mirador.hub.alert.AlertStore;
import io.mirador.hub.alert.LogEntry;
import io.mirador.hub.alert.NotificationRecord;
import io.mirador.hub.alert.notify.Notification;
import io.mirador.hub.alert.notify.Notifier;
import io.mirador.hub.alert.notify.NotifierConfig;
import io.mirador.hub.alert.notify.NotifierContext;
import io.mirador.hub.cluster.Fence;
import io.mirador.metrics.Meters;
import io.mirador.util.RateLimitedLog;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage 5, send: claims the send in the notification log under the owner's fence (an owner that lost its lease is
 * refused here, before it sends anything), tries the notifier with its timeout and exponential backoff while this
 * node still owns alerting, then writes what happened — the new log entry and a record per alert — under the fence.
 */
public final class Sender {

  private static final Logger LOG = LoggerFactory.getLogger(Sender.class);

  /** What a delivery came to. */
  public enum Outcome {
    /** The notifier took it. */
    SENT,
    /** Every try failed; the log is as it was, the next flush tries again. */
    FAILED,
    /** This node is not the owner any more: nothing sent (or nothing more tried). */
    FENCED,
    /** Dedup found nothing new to tell. */
    SKIPPED,
    /** Dedup found a send in progress (a claim in the log): looked at again soon. */
    WAITING
  }

  private final Vertx vertx;
  private final NotifierContext context;
  private final AlertStore store;
  private final Supplier<Optional<Fence>> fence;
  private final Retry retry;
  private final Meters meters;
  private final LongAdder fenced;
  private final RateLimitedLog failures = new RateLimitedLog(LOG, 1_000);

  public Sender(Vertx vertx, NotifierContext context, AlertStore store, Supplier<Optional<Fence>> fence, Retry retry, Meters meters,
      LongAdder fenced) {
    this.vertx = vertx;
    this.context = context;
    this.store = store;
    this.fence = fence;
    this.retry = retry;
    this.meters = meters;
    this.fenced = fenced;
  }

  public Retry retry() {
    return retry;
  }

  public Future<Outcome> deliver(NotifierConfig config, Notifier plugin, Notification notification, LogEntry previous,
      Set<String> firing, Set<String> resolved) {
    Optional<Fence> held = fence.get();
    if (held.isEmpty()) {
      return Future.succeededFuture(Outcome.FENCED);
    }
    long now = System.currentTimeMillis();
    LogEntry claim = previous == null
        ? new LogEntry(config.name(), notification.groupKey(), Set.of(), Set.of(), 0, now)
        : new LogEntry(config.name(), notification.groupKey(), previous.firing(), previous.resolved(), previous.sentAt(), now);
    return store.log(claim, Map.of(), held.get()).compose(claimed -> {
      if (!claimed) {
        fenced.increment();
        LOG.info("not the alert owner any more (token {} is stale): notification to {} not sent", held.get().token(), config.name());
        return Future.succeededFuture(Outcome.FENCED);
      }
      Promise<Outcome> done = Promise.promise();
      attempt(config, plugin, notification, previous, firing, resolved, held.get(), 1, done);
      return done.future();
    });
  }

  /**
   * Writes what dedup decided without telling anyone: a group whose alerts all resolved, for a notifier that does not
   * send resolves, leaves the log with nothing firing, so a new firing of the same alerts is told.
   */
  public Future<Outcome> record(NotifierConfig config, String groupKey, Set<String> firing, Set<String> resolved) {
    Optional<Fence> held = fence.get();
    if (held.isEmpty()) {
      return Future.succeededFuture(Outcome.FENCED);
    }
    LogEntry entry = new LogEntry(config.name(), groupKey, firing, resolved, System.currentTimeMillis(), 0);
    return store.log(entry, Map.of(), held.get()).map(logged -> {
      if (!logged) {
        fenced.increment();
        return Outcome.FENCED;
      }
      return Outcome.SKIPPED;
    });
  }

  private void attempt(NotifierConfig config, Notifier plugin, Notification notification, LogEntry previous, Set<String> firing,
      Set<String> resolved, Fence claimFence, int attempt, Promise<Outcome> done) {
    Optional<Fence> held = fence.get();
    if (held.isEmpty() || held.get().token() != claimFence.token()) {
      done.complete(Outcome.FENCED); // lost the lease between tries: the next owner finds the claim and takes over
      return;
    }
    withTimeout(send(config, plugin, notification), config.timeoutMs()).onComplete(sent -> {
      if (sent.succeeded()) {
        meters.counter("mirador_notifications_sent_total", "Notifications a notifier took, by notifier", Map.of("notifier", config.name()))
            .increment();
        LogEntry entry = new LogEntry(config.name(), notification.groupKey(), firing, resolved, System.currentTimeMillis(), 0);
        finish(entry, records(config, notification, "sent", attempt, null), claimFence, Outcome.SENT, done);
        return;
      }
      String error = sent.cause() instanceof TimeoutException ? "timed out after " + config.timeoutMs() + " ms" : String.valueOf(sent.cause().getMessage());
      failures.warn("notifier " + config.name() + " (" + config.type() + ") attempt " + attempt + " of " + retry.attempts() + " failed: " + error);
      if (attempt < retry.attempts()) {
        meters.counter("mirador_notification_retries_total", "Tries of a notification after a failed one, by notifier",
            Map.of("notifier", config.name())).increment();
        vertx.setTimer(retry.backoff(attempt), id ->
            attempt(config, plugin, notification, previous, firing, resolved, claimFence, attempt + 1, done));
        return;
      }
      meters.counter("mirador_notifications_failed_total", "Notifications given up after every try, by notifier", Map.of("notifier", config.name()))
          .increment();
      LogEntry unchanged = previous == null
          ? new LogEntry(config.name(), notification.groupKey(), Set.of(), Set.of(), 0, 0)
          : new LogEntry(config.name(), notification.groupKey(), previous.firing(), previous.resolved(), previous.sentAt(), 0);
      finish(unchanged, records(config, notification, "failed", attempt, error), claimFence, Outcome.FAILED, done);
    });
  }

  private Future<Void> send(NotifierConfig config, Notifier plugin, Notification notification) {
    try {
      return plugin.send(context, config, notification);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private void finish(LogEntry entry, Map<String, NotificationRecord> records, Fence claimFence, Outcome outcome, Promise<Outcome> done) {
    store.log(entry, records, claimFence).onComplete(logged -> {
      if (logged.failed()) {
        LOG.warn("notification log not written for {}: {}", entry.notifier(), logged.cause().toString());
      } else if (!logged.result()) {
        fenced.increment();
      }
      done.complete(outcome);
    });
  }

  private static Map<String, NotificationRecord> records(NotifierConfig config, Notification notification, String outcome, int attempts,
      String error) {
    long now = System.currentTimeMillis();
    Map<String, NotificationRecord> records = new HashMap<>();
    for (AlertState alert : notification.alerts()) {
      records.put(alert.fingerprint(), new NotificationRecord(config.name(), alert.state() == AlertState.State.RESOLVED ? "resolved" : "firing",
          outcome, now, attempts, error));
    }
    return records;
  }

  private <T> Future<T> withTimeout(Future<T> future, long timeoutMs) {
    Promise<T> bounded = Promise.promise();
    long timer = vertx.setTimer(timeoutMs, id -> bounded.tryFail(new TimeoutException()));
    future.onComplete(result -> {
      vertx.cancelTimer(timer);
      if (result.succeeded()) {
        bounded.tryComplete(result.result());
      } else {
        bounded.tryFail(result.cause());
      }
    });
    return bounded.future();
  }
}
