package io.mirador.hub.alert;

import io.mirador.Addresses;
import io.mirador.hub.events.AgentStatusChanged;
import io.mirador.hub.events.CheckStateChanged;
import io.mirador.store.AgentStatus;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where alert rules will be evaluated as events stream in. For now it follows agent status changes and check state
 * changes (typed hub events) and logs the ones an operator must hear about (an agent going down, a check leaving OK,
 * and their recoveries); rules, silences, grouping and notifiers arrive with the alerting issue and plug into this
 * verticle.
 */
public final class AlertVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(AlertVerticle.class);

  private static final String[] STATES = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

  private MessageConsumer<AgentStatusChanged> statusChanges;
  private MessageConsumer<CheckStateChanged> checkChanges;

  @Override
  public Future<?> start() {
    statusChanges = vertx.eventBus().consumer(Addresses.AGENT_STATUS, message -> {
      AgentStatusChanged change = message.body();
      if (change.to() == AgentStatus.DOWN) {
        LOG.warn("ALERT agent {} ({}) is down", change.hostname(), change.agent());
      } else if (change.from() == AgentStatus.DOWN) {
        LOG.info("RESOLVED agent {} ({}) is {} again", change.hostname(), change.agent(), change.to().wireName());
      }
    });
    checkChanges = vertx.eventBus().consumer(Addresses.CHECK_STATE, message -> {
      CheckStateChanged change = message.body();
      String what = change.flapping() ? " (flapping)" : "";
      if (change.to() != 0) {
        LOG.warn("ALERT check {} on agent {} is {}{}: {}", change.check(), change.agent(), state(change.to()), what, change.output());
      } else if (change.from() != null && change.from() != 0) {
        LOG.info("RESOLVED check {} on agent {} is OK again{}", change.check(), change.agent(), what);
      }
    });
    return Future.join(statusChanges.completion(), checkChanges.completion());
  }

  private static String state(int status) {
    return status >= 0 && status < STATES.length ? STATES[status] : "UNKNOWN";
  }

  @Override
  public Future<?> stop() {
    return Future.join(statusChanges.unregister(), checkChanges.unregister());
  }
}
