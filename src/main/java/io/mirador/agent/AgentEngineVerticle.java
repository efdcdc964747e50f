package io.mirador.agent;

import io.mirador.Addresses;
import io.mirador.model.Envelope;
import io.mirador.model.EventType;
import io.mirador.model.LogLine;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatches commands from the hub to their handlers. Remote jobs and config pushes plug in here as their
 * issues land; until then a command without a handler is answered with a log event saying so, so the hub
 * operator sees it was received and not acted on.
 */
public final class AgentEngineVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(AgentEngineVerticle.class);

  private final Map<EventType, Consumer<Envelope>> handlers = new EnumMap<>(EventType.class);
  private MessageConsumer<Envelope> consumer;
  private String agentId;

  @Override
  public Future<?> start() {
    agentId = AgentConfig.of(config()).id();
    consumer = vertx.eventBus().localConsumer(Addresses.agentEngine(agentId), message -> dispatch(message.body()));
    return consumer.completion();
  }

  @Override
  public Future<?> stop() {
    return consumer.unregister();
  }

  private void dispatch(Envelope command) {
    Consumer<Envelope> handler = handlers.get(command.type());
    if (handler != null) {
      handler.accept(command);
      return;
    }
    LOG.warn("agent {} has no handler for {} command {}", agentId, command.type().wireName(), command.seq());
    LogLine line = new LogLine("engine", "warn", "no handler for " + command.type().wireName() + " commands on this agent", System.currentTimeMillis());
    vertx.eventBus().send(Addresses.agentOutbox(agentId), new Envelope(Envelope.VERSION, EventType.LOG, agentId, 0, System.currentTimeMillis(), line));
  }
}
