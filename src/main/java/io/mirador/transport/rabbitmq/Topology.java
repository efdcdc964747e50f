package io.mirador.transport.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import io.mirador.model.EventType;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RabbitMQ names of DESIGN.md §3 and their declaration. Hub and agents both declare everything they use on
 * every (re)connect; declaring is idempotent, so whoever comes first creates it and a deleted queue comes back.
 */
public final class Topology {

  private static final Logger LOG = LoggerFactory.getLogger(Topology.class);

  /** Topic exchange agents publish to, routing key {@code <type>.<agent-id>}. */
  public static final String INGEST_EXCHANGE = "mirador.ingest";
  /** The queue hub channels consume from, competing, bound {@code #}. */
  public static final String INGEST_QUEUE = "mirador.ingest";
  /** Direct exchange for hub → agent commands, routing key = agent id. */
  public static final String AGENTS_EXCHANGE = "mirador.agents";
  /** Fanout exchange of rejected messages (the ingest queue's dead-letter exchange too). */
  public static final String DEAD_LETTER_EXCHANGE = "mirador.dlx";
  /** Where rejected messages are kept for inspection. */
  public static final String DEAD_QUEUE = "mirador.dead";

  /** Header of a dead-lettered message: why it was rejected. */
  public static final String REASON_HEADER = "x-mirador-reason";
  /** Header of a dead-lettered message: the routing key it was published with. */
  public static final String ROUTING_KEY_HEADER = "x-mirador-routing-key";
  /** Header of a dead-lettered message: when it was rejected, epoch milliseconds. */
  public static final String REJECTED_AT_HEADER = "x-mirador-rejected-at";

  /**
   * Header a quorum queue puts on a message it delivers again: how many times it came back before (nacked with requeue,
   * or its consumer's channel closed). A classic queue does not set it.
   */
  static final String DELIVERY_COUNT_HEADER = "x-delivery-count";

  /** Longest reason put in a header; reasons quote input, and a header is no place for a megabyte. */
  static final int MAX_REASON_CHARS = 1_000;

  private Topology() {
  }

  public static String agentQueue(String agentId) {
    return "mirador.agent." + agentId;
  }

  public static String ingestRoutingKey(EventType type, String agent) {
    return type.wireName() + "." + agent;
  }

  /** The exchanges and queues every participant needs: ingest, dead letters, the agents exchange. Blocking. */
  static void declareShared(Connection connection, AmqpSettings settings) throws IOException, TimeoutException {
    Channel channel = connection.createChannel();
    try {
      channel.exchangeDeclare(INGEST_EXCHANGE, BuiltinExchangeType.TOPIC, true);
      channel.exchangeDeclare(DEAD_LETTER_EXCHANGE, BuiltinExchangeType.FANOUT, true);
      channel.exchangeDeclare(AGENTS_EXCHANGE, BuiltinExchangeType.DIRECT, true);
    } finally {
      closeQuietly(channel);
    }
    declareQueue(connection, DEAD_QUEUE, Map.of());
    Map<String, Object> ingest = new HashMap<>();
    ingest.put("x-queue-type", settings.ingestQueueType());
    ingest.put("x-dead-letter-exchange", DEAD_LETTER_EXCHANGE);
    declareQueue(connection, INGEST_QUEUE, ingest);
    channel = connection.createChannel();
    try {
      channel.queueBind(DEAD_QUEUE, DEAD_LETTER_EXCHANGE, "");
      channel.queueBind(INGEST_QUEUE, INGEST_EXCHANGE, "#");
    } finally {
      closeQuietly(channel);
    }
  }

  /** One agent's command queue, with the configured message TTL, bound to the agents exchange. Blocking. */
  static void declareAgentQueue(Connection connection, String agentId, AmqpSettings settings) throws IOException, TimeoutException {
    String queue = agentQueue(agentId);
    declareQueue(connection, queue, Map.of("x-message-ttl", settings.commandTtlSeconds() * 1000L));
    Channel channel = connection.createChannel();
    try {
      channel.queueBind(queue, AGENTS_EXCHANGE, agentId);
    } finally {
      closeQuietly(channel);
    }
  }

  /**
   * Declares a durable queue. When it already exists with other arguments (an older config, a classic queue
   * where quorum is now asked for) the broker refuses the declaration; the queue is then used as it is, with a
   * warning, since a queue full of events must not be deleted behind the operator's back.
   */
  private static void declareQueue(Connection connection, String name, Map<String, Object> arguments) throws IOException, TimeoutException {
    Channel channel = connection.createChannel();
    try {
      channel.queueDeclare(name, true, false, false, arguments);
      closeQuietly(channel);
    } catch (IOException e) {
      if (!isPreconditionFailed(e)) {
        throw e;
      }
      LOG.warn("queue {} exists with other arguments than {}; using it as it is (delete it to apply the configured ones): {}",
          name, arguments, e.getCause().getMessage());
      Channel passive = connection.createChannel();
      try {
        passive.queueDeclarePassive(name);
      } finally {
        closeQuietly(passive);
      }
    }
  }

  static boolean isPreconditionFailed(IOException e) {
    return e.getCause() instanceof ShutdownSignalException signal
        && signal.getReason() instanceof AMQP.Channel.Close close
        && close.getReplyCode() == AMQP.PRECONDITION_FAILED;
  }

  static void closeQuietly(Channel channel) {
    try {
      if (channel.isOpen()) {
        channel.close();
      }
    } catch (IOException | TimeoutException | RuntimeException e) {
      LOG.debug("closing channel {}: {}", channel.getChannelNumber(), e.toString());
    }
  }
}
