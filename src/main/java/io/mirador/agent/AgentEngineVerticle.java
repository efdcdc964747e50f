package io.mirador.agent;

import io.mirador.Addresses;
import io.mirador.model.Command;
import io.mirador.model.Envelope;
import io.mirador.model.Wire;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
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
 * Dispatches commands from the hub to their handlers: {@code config} (the check assignment) goes to the check
 * scheduler, {@code job} and {@code cancel} to {@link AgentJobs}. A command without a handler is answered with a log
 * event saying so, so the hub operator sees it was received and not acted on.
 */
public final class AgentEngineVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(AgentEngineVerticle.class);

  private final Map<EventType, Consumer<Envelope>> handlers = new EnumMap<>(EventType.class);
  private MessageConsumer<Envelope> consumer;
  private String agentId;
  private AgentJobs jobs;

  @Override
  public Future<?> start() {
    agentId = AgentConfig.of(config()).id();
    jobs = new AgentJobs(vertx, config());
    handlers.put(EventType.CONFIG, this::config);
    handlers.put(EventType.JOB, jobs::job);
    handlers.put(EventType.CANCEL, jobs::cancel);
    return jobs.start().compose(v -> {
      consumer = vertx.eventBus().localConsumer(Addresses.agentEngine(agentId), message -> dispatch(message.body()));
      return consumer.completion();
    });
  }

  @Override
  public Future<?> stop() {
    return Future.join(consumer == null ? Future.succeededFuture() : consumer.unregister(), jobs.close());
  }

  /** A check assignment from the hub: its payload goes to the check scheduler ({@link AgentCheckVerticle}). */
  private void config(Envelope command) {
    Command body = command.body(Command.class);
    // megabytes when many checks are assigned: converted on a worker, in order, never on the event loop
    vertx.executeBlocking(() -> body.payload() == null ? new JsonObject() : new JsonObject(Wire.MAPPER.writeValueAsString(body.payload())), true)
        .onFailure(e -> LOG.warn("agent {} could not read config command {}: {}", agentId, body.id(), e.getMessage()))
        .onSuccess(payload -> {
          if (payload.getValue("checks") instanceof JsonArray) {
            vertx.eventBus().send(Addresses.agentChecks(agentId), payload);
          } else {
            LOG.warn("agent {} ignores config command {}: no checks in it", agentId, body.id());
          }
        });
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
