package io.mirador.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.Mirador;
import io.mirador.store.redis.RedisStoreConfig;
import io.mirador.transport.rabbitmq.AmqpSettings;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A malformed broker or Redis url stops the start with a message naming the setting, instead of the client reading
 * it its own way (a host it cannot parse dropped, and localhost used: another broker than the one configured).
 */
class BrokerUrlTest {

  private static final List<String> BAD_AMQP = List.of("amqp://host:notaport", "amqp://1.2.3.4.5", "amqp://user:secret@1.2.3.4.5:5672/vh",
      "amqp://host:99999", "amqp://", "amqp:/nohost", "http://127.0.0.1:5672", "amqp://ho st:5672");
  private static final List<String> BAD_REDIS = List.of("redis://host:notaport", "redis://1.2.3.4.5", "redis://user:secret@1.2.3.4.5:6379",
      "redis://host:6379/zero", "http://127.0.0.1:6379", "redis://", "127.0.0.1:6379");

  @Test
  void malformedAmqpUrlsAreRefusedNamingTheSettingAndNeverShowingThePassword() {
    for (String url : BAD_AMQP) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AmqpSettings.of(amqp(url)), url);
      assertTrue(e.getMessage().contains("transport.amqp.url") && e.getMessage().contains("MIRADOR_AMQP_URL"), e.getMessage());
      assertFalse(e.getMessage().contains("secret"), e.getMessage());
    }
    for (String url : List.of("amqp://guest:guest@127.0.0.1:5672", "amqps://broker.example", "amqp://[::1]:5672/%2F", "amqp://10.0.0.1")) {
      AmqpSettings.of(amqp(url));
    }
  }

  @Test
  void malformedRedisUrlsAreRefusedNamingTheSetting() {
    for (String url : BAD_REDIS) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> RedisStoreConfig.from(new JsonObject().put("url", url)), url);
      assertTrue(e.getMessage().contains("store.redis.url"), e.getMessage());
      assertFalse(e.getMessage().contains("secret"), e.getMessage());
    }
    for (String url : List.of("redis://127.0.0.1:6379", "rediss://:pw@redis.example:6380/2", "redis://[::1]:6379", "unix:///run/redis.sock")) {
      RedisStoreConfig.from(new JsonObject().put("url", url));
    }
  }

  @Test
  void aHubWithAMalformedBrokerUrlDoesNotStart() throws Exception {
    Future<Mirador> started = Mirador.start(Mirador.Mode.HUB, new JsonObject()
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("transport", new JsonObject().put("type", "rabbitmq").put("amqp", new JsonObject().put("url", "amqp://host:notaport"))));
    Throwable failure = null;
    try {
      Mirador running = started.toCompletionStage().toCompletableFuture().get(Duration.ofSeconds(60).toSeconds(), TimeUnit.SECONDS);
      running.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      failure = e.getCause();
    }
    assertTrue(failure != null, "a hub started on amqp://host:notaport");
    String text = failure.toString() + (failure.getCause() == null ? "" : failure.getCause().toString());
    assertTrue(text.contains("transport.amqp.url"), text);
  }

  private static JsonObject amqp(String url) {
    return new JsonObject().put("transport", new JsonObject().put("amqp", new JsonObject().put("url", url)));
  }
}
