package io.mirador.transport;

import io.mirador.agent.AgentTrust;
import io.mirador.config.Settings;
import io.mirador.hub.enroll.EnrollConfig;
import io.mirador.hub.enroll.HubTrust;
import io.mirador.config.TlsSettings;
import io.mirador.transport.local.EventBusAgentTransport;
import io.mirador.transport.local.EventBusHubTransport;
import io.mirador.transport.rabbitmq.AmqpSettings;
import io.mirador.transport.rabbitmq.RabbitAgentTransport;
import io.mirador.transport.rabbitmq.RabbitHubTransport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Optional;

/** Picks the transport implementation named by {@code transport.type}. */
public final class Transports {

  private Transports() {
  }

  public static AgentTransport forAgent(Vertx vertx, JsonObject config, String agentId) {
    String type = type(config);
    return switch (type) {
      case "local" -> new EventBusAgentTransport(vertx, agentId, 10_000);
      case "rabbitmq" -> new RabbitAgentTransport(vertx, AmqpSettings.of(config), agentId, AgentTrust.of(config, agentId));
      default -> throw unknown(type);
    };
  }

  public static HubTransport forHub(Vertx vertx, JsonObject config) {
    String type = type(config);
    return switch (type) {
      case "local" -> new EventBusHubTransport(vertx);
      case "rabbitmq" -> new RabbitHubTransport(vertx, AmqpSettings.of(config), signer(vertx, config));
      default -> throw unknown(type);
    };
  }

  /** Every command a hub sends over the broker is signed with the hub's key, valid for {@code hub.commands.ttlSeconds}. */
  private static CommandSigner signer(Vertx vertx, JsonObject config) {
    long ttlMs = EnrollConfig.of(config).commandTtlMs();
    return envelope -> HubTrust.shared(vertx, config).map(trust -> trust.sign(envelope, System.currentTimeMillis() + ttlMs));
  }

  /** The TLS settings the configured transport connects with, when it does ({@code amqps://}). */
  public static Optional<TlsSettings> tls(JsonObject config) {
    if (!type(config).equals("rabbitmq")) {
      return Optional.empty();
    }
    AmqpSettings amqp = AmqpSettings.of(config);
    return amqp.usesTls() ? Optional.of(amqp.tls()) : Optional.empty();
  }

  private static String type(JsonObject config) {
    return Settings.section(config, "transport").getString("type", "local");
  }

  private static IllegalArgumentException unknown(String type) {
    return new IllegalArgumentException("unknown transport.type '" + type + "' (known: local, rabbitmq)");
  }
}
