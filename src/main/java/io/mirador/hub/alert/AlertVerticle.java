package io.mirador.hub.alert;

import io.mirador.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where alert rules will be evaluated as events stream in. For now it follows agent status changes and logs
 * the ones an operator must hear about (an agent going down, and coming back); rules, silences, grouping and
 * notifiers arrive with the alerting issue and plug into this verticle.
 */
public final class AlertVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(AlertVerticle.class);

  private MessageConsumer<JsonObject> statusChanges;

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
    return statusChanges.completion();
  }

  @Override
  public Future<?> stop() {
    return statusChanges.unregister();
  }
}
