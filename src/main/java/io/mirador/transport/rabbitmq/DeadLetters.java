package io.mirador.transport.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Delivery;
import java.util.HashMap;
import java.util.Map;

/** The properties of a rejected message's copy in {@code mirador.dead}: the original ones, plus why and when. */
final class DeadLetters {

  private DeadLetters() {
  }

  static AMQP.BasicProperties properties(Delivery delivery, String reason, String queue) {
    AMQP.BasicProperties original = delivery.getProperties();
    Map<String, Object> headers = new HashMap<>();
    if (original.getHeaders() != null) {
      headers.putAll(original.getHeaders());
    }
    String text = reason == null || reason.isBlank() ? "rejected" : reason;
    headers.put(Topology.REASON_HEADER, text.length() > Topology.MAX_REASON_CHARS ? text.substring(0, Topology.MAX_REASON_CHARS) + "…" : text);
    headers.put(Topology.ROUTING_KEY_HEADER, delivery.getEnvelope().getRoutingKey());
    headers.put(Topology.REJECTED_AT_HEADER, System.currentTimeMillis());
    headers.put("x-mirador-queue", queue);
    return original.builder().headers(headers).deliveryMode(2).build();
  }
}
