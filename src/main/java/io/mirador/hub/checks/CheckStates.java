package io.mirador.hub.checks;

import io.mirador.Addresses;
import io.mirador.hub.events.CheckStateChanged;
import io.mirador.hub.events.CheckResultStored;
import io.mirador.hub.events.HubEvent;
import java.util.function.Predicate;
import io.mirador.model.CheckResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * What a stored check result changes beyond "latest": the agent/check history of 21 statuses, flap detection, a
 * state-change event for the alert verticle on {@link Addresses#CHECK_STATE}, and the result on the live feed.
 *
 * <p>Runs after the result was stored once, so a redelivered event does not count twice in the history. Two engines
 * handling results of the same check at the same moment may interleave; the history append itself is atomic.
 */
public final class CheckStates {

  private final Vertx vertx;
  private final CheckStore store;
  private final Flapping flapping;
  private final Predicate<String> alerting;

  /** {@code alerting} says which checks an alert rule names: their every result goes to the alert role with its history. */
  public CheckStates(Vertx vertx, CheckStore store, Flapping flapping, Predicate<String> alerting) {
    this.vertx = vertx;
    this.store = store;
    this.flapping = flapping;
    this.alerting = alerting;
  }

  public Future<Void> follow(String agent, CheckResult result) {
    return store.appendCheckStatus(agent, result.check(), result.status())
        .compose(statuses -> store.checkHistories(agent).compose(histories -> {
          CheckHistory known = histories.get(result.check());
          boolean was = known != null && known.flapping();
          double percent = Flapping.percentStateChange(statuses);
          boolean now = flapping.flapping(was, percent);
          Future<Void> saved = now == was ? Future.succeededFuture() : store.setCheckFlapping(agent, result.check(), now);
          return saved.onSuccess(done -> announce(agent, result, statuses, was, now, percent));
        }));
  }

  private void announce(String agent, CheckResult result, List<Integer> statuses, boolean wasFlapping, boolean flapping, double percent) {
    Integer from = statuses.size() >= 2 ? statuses.get(statuses.size() - 2) : null;
    boolean firstNotOk = from == null && result.status() != 0;
    if ((from != null && from != result.status()) || firstNotOk || wasFlapping != flapping) {
      HubEvent.publish(vertx.eventBus(), new CheckStateChanged(agent, result.check(), from, result.status(), result.output(), flapping,
          percent, result.executed()));
    }
    if (alerting.test(result.check())) {
      HubEvent.publish(vertx.eventBus(), new CheckResultStored(agent, result.check(), result.status(), result.output(), result.executed(),
          List.copyOf(statuses)));
    }
    vertx.eventBus().publish(Addresses.LIVE_RESULTS, CheckView.json(agent, result, statuses, flapping, percent));
  }
}
