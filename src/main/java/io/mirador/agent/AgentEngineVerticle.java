package io.mirador.agent;

import io.mirador.Addresses;
import com.fasterxml.jackson.core.JsonProcessingException;
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
 * scheduler; remote jobs plug in here as their issue lands. A command without a handler is answered with a log
 * event saying so, so the hub operator sees it was received and not acted on.
 */
public final class AgentEngineVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(AgentEngineVerticle.class);

  private final Map<EventType, Consumer<Envelope>> handlers = new EnumMap<>(EventType.class);
  private MessageConsumer<Envelope> consumer;
  private String agentId;
  private boolean jobsEnabled;
  private long jobsRefused;
  private java.util.List<String> interpreters;

  @Override
  public Future<?> start() {
    AgentConfig agent = AgentConfig.of(config());
    agentId = agent.id();
    jobsEnabled = agent.jobsEnabled();
    interpreters = agent.jobInterpreters();
    handlers.put(EventType.CONFIG, this::config);
    consumer = vertx.eventBus().localConsumer(Addresses.agentEngine(agentId), message -> dispatch(message.body()));
    return consumer.completion();
  }

  @Override
  public Future<?> stop() {
    return consumer.unregister();
  }

  /**
   * What this agent's own configuration forbids, whatever the hub signed: jobs when {@code agent.jobs.enabled} is false,
   * a job naming an interpreter outside {@code agent.jobs.interpreters}. Null when allowed.
   */
  private String restriction(Envelope command) {
    if (command.type() != EventType.JOB) {
      return null;
    }
    if (!jobsEnabled) {
      return "jobs are disabled on this agent (agent.jobs.enabled: false)";
    }
    if (!interpreters.isEmpty()) {
      Command body = command.body(Command.class);
      var interpreter = body.payload() == null ? null : body.payload().get("interpreter");
      String name = interpreter == null || !interpreter.isTextual() ? null : interpreter.asText();
      if (name != null && !interpreters.contains(name)) {
        return "interpreter " + name + " is not in agent.jobs.interpreters " + interpreters;
      }
    }
    return null;
  }

  /** A check assignment from the hub: its payload goes to the check scheduler ({@link AgentCheckVerticle}). */
  private void config(Envelope command) {
    Command body = command.body(Command.class);
    JsonObject payload;
    try {
      payload = body.payload() == null ? new JsonObject() : new JsonObject(Wire.MAPPER.writeValueAsString(body.payload()));
    } catch (JsonProcessingException | RuntimeException e) {
      LOG.warn("agent {} could not read config command {}: {}", agentId, body.id(), e.getMessage());
      return;
    }
    if (payload.getValue("checks") instanceof JsonArray) {
      vertx.eventBus().send(Addresses.agentChecks(agentId), payload);
    } else {
      LOG.warn("agent {} ignores config command {}: no checks in it", agentId, body.id());
    }
  }

  private void dispatch(Envelope command) {
    String refused = restriction(command);
    if (refused != null) {
      AgentHeartbeatVerticle.report(vertx, agentId, "jobs_refused", ++jobsRefused);
      LOG.warn("agent {} refuses {} command {}: {}", agentId, command.type().wireName(), command.seq(), refused);
      LogLine line = new LogLine("engine", "warn", "refused " + command.type().wireName() + " command: " + refused, System.currentTimeMillis());
      vertx.eventBus().send(Addresses.agentOutbox(agentId), new Envelope(Envelope.VERSION, EventType.LOG, agentId, 0, System.currentTimeMillis(), line));
      return;
    }
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
