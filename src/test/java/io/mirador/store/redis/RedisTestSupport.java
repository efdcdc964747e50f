package io.mirador.store.redis;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The real Redis on loopback, database 15, and a key prefix of its own per test so tests never meet each other or
 * anything else; {@link #deleteKeys} cleans up after each.
 */
final class RedisTestSupport {

  static final String URL = System.getenv().getOrDefault("MIRADOR_TEST_REDIS_URL", "redis://127.0.0.1:6379/15");

  private RedisTestSupport() {
  }

  static String uniquePrefix() {
    return "mirador-test:" + UUID.randomUUID() + ":";
  }

  static JsonObject section(String prefix) {
    return new JsonObject().put("url", URL).put("prefix", prefix);
  }

  static RedisAPI admin(Vertx vertx) {
    return RedisAPI.api(Redis.createClient(vertx, URL));
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("call did not succeed: " + e, e);
    }
  }

  static List<String> keys(RedisAPI admin, String prefix) {
    List<String> found = new ArrayList<>();
    String cursor = "0";
    do {
      Response page = await(admin.scan(List.of(cursor, "MATCH", prefix + "*", "COUNT", "1000")));
      cursor = page.get(0).toString();
      page.get(1).forEach(key -> found.add(key.toString()));
    } while (!"0".equals(cursor));
    return found;
  }

  static void deleteKeys(RedisAPI admin, String prefix) {
    List<String> doomed = keys(admin, prefix);
    for (int i = 0; i < doomed.size(); i += 500) {
      await(admin.unlink(doomed.subList(i, Math.min(doomed.size(), i + 500))));
    }
  }
}
