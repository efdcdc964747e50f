package io.mirador.hub.security;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mirador.Mirador;
import io.mirador.testing.Await;
import io.mirador.testing.TestConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Two hub nodes on one Redis, started together on an empty store: one first-start token between them, and a user,
 * a session, a logout and a revoked token made on one node count on the other at once.
 */
class SharedSecurityTest {

  private static final String REDIS = System.getenv().getOrDefault("MIRADOR_TEST_REDIS_URL", "redis://127.0.0.1:6379/15");

  @Test
  void usersTokensSessionsAndLogoutsAreTheSameOnEveryNode() {
    String prefix = "mirador-test:" + UUID.randomUUID() + ":";
    JsonObject store = new JsonObject().put("type", "redis").put("redis", new JsonObject().put("url", REDIS).put("prefix", prefix));
    Future<Mirador> startingA = Mirador.start(Mirador.Mode.HUB, TestConfig.hubOnly().put("store", store.copy()));
    Future<Mirador> startingB = Mirador.start(Mirador.Mode.HUB, TestConfig.hubOnly().put("store", store.copy()));
    Mirador a = Await.result(startingA);
    Mirador b = Await.result(startingB);
    Vertx vertx = Vertx.vertx();
    try {
      WebClient onA = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(a.httpPort()));
      WebClient onB = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(b.httpPort()));
      JsonObject tokens = Await.result(onB.get("/api/v1/tokens").putHeader("authorization", TestConfig.bearer()).send()).bodyAsJsonObject();
      assertEquals(1, tokens.getJsonArray("tokens").size(), "one first-start token for two nodes: " + tokens.encode());

      assertEquals(201, Await.result(onA.put("/api/v1/users/sam").putHeader("authorization", TestConfig.bearer())
          .sendJsonObject(new JsonObject().put("password", "shared-pass-1").put("role", "operator"))).statusCode());
      String session = Await.result(onB.post("/api/v1/login")
          .sendJsonObject(new JsonObject().put("name", "sam").put("password", "shared-pass-1"))).bodyAsJsonObject().getString("token");
      assertEquals("sam", Await.result(onA.get("/api/v1/session").putHeader("authorization", "Bearer " + session).send())
          .bodyAsJsonObject().getString("name"), "a session made on B is valid on A: the key is in the store");
      assertEquals(204, Await.result(onA.post("/api/v1/logout").putHeader("authorization", "Bearer " + session).send()).statusCode());
      assertEquals(401, Await.result(onB.get("/api/v1/session").putHeader("authorization", "Bearer " + session).send()).statusCode(),
          "ended on A, refused on B");

      JsonObject made = Await.result(onB.post("/api/v1/tokens").putHeader("authorization", TestConfig.bearer())
          .sendJsonObject(new JsonObject().put("role", "viewer"))).bodyAsJsonObject();
      assertEquals(200, Await.result(onA.get("/api/v1/agents").putHeader("authorization", "Bearer " + made.getString("token")).send()).statusCode());
      assertEquals(204, Await.result(onA.delete("/api/v1/tokens/" + made.getString("id")).putHeader("authorization", TestConfig.bearer())
          .send()).statusCode());
      assertEquals(401, Await.result(onB.get("/api/v1/agents").putHeader("authorization", "Bearer " + made.getString("token")).send()).statusCode());
      JsonObject audit = Await.result(onB.get("/api/v1/audit?principal=" + tokens.getJsonArray("tokens").getJsonObject(0).getString("id"))
          .putHeader("authorization", TestConfig.bearer()).send()).bodyAsJsonObject();
      assertEquals(List.of("token.revoke", "token.create", "user.create"),
          audit.getJsonArray("entries").stream().map(e -> ((JsonObject) e).getString("action")).toList(), "both nodes write one log");
    } finally {
      Await.result(vertx.close());
      Await.result(a.close());
      Await.result(b.close());
      Vertx cleaner = Vertx.vertx();
      RedisAPI redis = RedisAPI.api(Redis.createClient(cleaner, REDIS));
      List<String> keys = new ArrayList<>();
      Await.result(redis.keys(prefix + "*")).forEach(key -> keys.add(key.toString()));
      if (!keys.isEmpty()) {
        Await.result(redis.unlink(keys));
      }
      redis.close();
      Await.result(cleaner.close());
    }
  }
}
