package io.mirador.hub.alert;

import io.mirador.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where alert rules will be evaluated as events stream in. For now it follows agent status changes and check state
 * changes ({@code mirador.check.state}) and logs the ones an operator must hear about (an agent going down, a check
 * leaving OK, and their recoveries); rules, silences, grouping and
 * notifiers arrive with the alerting issue and plug into this verticle.
 */
public final class AlertVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(AlertVerticle.class);

  private static final String[] STATES = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

  private MessageConsumer<JsonObject> statusChanges;
  private MessageConsumer<JsonObject> checkChanges;

  @Override
  public Future<?> start() {
    statusChanges = vertx.eventBus().consumer(Addresses.AGENT_STATUS, message -> {
      JsonObject change = message.body();
      if ("down".equals(change.getString("to"))) {
        LOG.warn("ALERT agent {} ({}) is down", change.getString("hostname"), change.getString("agent"));
      } else if ("down".equals(change.getString("from"))) {
        LOG.info("RESOLVED agent {} ({}) is {} again", change.getString("hostname"), change.getString("agent"), change.getString("to"));
      }
    });
    checkChanges = vertx.eventBus().consumer(Addresses.CHECK_STATE, message -> {
      JsonObject change = message.body();
      Integer from = change.getInteger("from");
      int to = change.getInteger("to", 3);
      String what = change.getBoolean("flapping", false) ? " (flapping)" : "";
      if (to != 0) {
        LOG.warn("ALERT check {} on agent {} is {}{}: {}", change.getString("check"), change.getString("agent"), state(to), what, change.getString("output"));
      } else if (from != null && from != 0) {
        LOG.info("RESOLVED check {} on agent {} is OK again{}", change.getString("check"), change.getString("agent"), what);
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
