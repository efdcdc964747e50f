package io.mirador.hub.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.Mirador;
import io.mirador.testing.Await;
import io.mirador.testing.TestConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mirador user ...} and {@code mirador token ...} against the real Redis, then a hub on the same store: the
 * user logs in, the token works, the revoked one does not, and the audit log says the command line did it.
 */
class SecurityCliTest {

  private static final String REDIS = System.getenv().getOrDefault("MIRADOR_TEST_REDIS_URL", "redis://127.0.0.1:6379/15");

  @TempDir
  Path dir;

  private record Run(int exit, String out, String err) {
  }

  private Run cli(Path conf, String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> all = new java.util.ArrayList<>(List.of(args));
    all.add("--conf");
    all.add(conf.toString());
    int exit = io.mirador.MainAccess.security(all.get(0), all.subList(1, all.size()),
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), Map.of());
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void usersAndTokensMadeOnTheCommandLineWorkOnTheHub() throws Exception {
    String prefix = "mirador-test:" + UUID.randomUUID() + ":";
    JsonObject store = new JsonObject().put("type", "redis").put("redis", new JsonObject().put("url", REDIS).put("prefix", prefix));
    Path conf = dir.resolve("hub.json");
    Files.writeString(conf, new JsonObject().put("store", store).encode());

    Run added = cli(conf, "cli-password-1\n", "user", "add", "carol", "--role", "operator", "--password-stdin");
    assertEquals(0, added.exit(), added.err());
    assertEquals(2, cli(conf, "short\n", "user", "add", "dave", "--role", "viewer", "--password-stdin").exit(), "too short a password");
    assertEquals(2, cli(conf, "", "user", "add", "erin", "--role", "root", "--password-stdin").exit());
    Run duplicate = cli(conf, "cli-password-1\n", "user", "add", "carol", "--role", "viewer", "--password-stdin");
    assertEquals(2, duplicate.exit());
    assertTrue(duplicate.err().contains("exists"), duplicate.err());

    Run created = cli(conf, "", "token", "create", "--role", "viewer", "--name", "grafana");
    assertEquals(0, created.exit(), created.err());
    String token = created.out().strip();
    assertTrue(token.startsWith(Credentials.TOKEN_PREFIX), created.out());
    Run listed = cli(conf, "", "token", "list");
    assertTrue(listed.out().contains("grafana") && listed.out().contains("viewer") && !listed.out().contains(token), listed.out());
    String id = listed.out().strip().split("\\s+")[0];
    String admin = cli(conf, "", "token", "create", "--role", "admin").out().strip();
    String doomed = cli(conf, "", "token", "create", "--role", "operator", "--name", "doomed").out().strip();
    String doomedId = cli(conf, "", "token", "list").out().lines().filter(l -> l.contains("doomed")).findFirst().orElseThrow().split("\\s+")[0];
    assertEquals(0, cli(conf, "", "token", "revoke", doomedId).exit());
    assertEquals(2, cli(conf, "", "token", "revoke", doomedId).exit(), "already revoked");

    JsonObject hubConfig = TestConfig.hubOnly().put("store", store);
    Mirador hub = Await.result(Mirador.start(Mirador.Mode.HUB, hubConfig));
    Vertx vertx = Vertx.vertx();
    try {
      WebClient http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(hub.httpPort()));
      assertEquals(401, Await.result(http.get("/api/v1/agents").putHeader("authorization", TestConfig.bearer()).send()).statusCode(),
          "the store had an admin token already: the first start made none");
      assertEquals(200, Await.result(http.get("/api/v1/agents").putHeader("authorization", "Bearer " + token).send()).statusCode());
      assertEquals(200, Await.result(http.get("/api/v1/users").putHeader("authorization", "Bearer " + admin).send()).statusCode());
      assertEquals(401, Await.result(http.get("/api/v1/agents").putHeader("authorization", "Bearer " + doomed).send()).statusCode());
      var login = Await.result(http.post("/api/v1/login").sendJsonObject(new JsonObject().put("name", "carol").put("password", "cli-password-1")));
      assertEquals(200, login.statusCode());
      assertEquals("operator", login.bodyAsJsonObject().getString("role"));

      assertEquals(0, cli(conf, "cli-password-2\n", "user", "passwd", "carol", "--password-stdin").exit());
      assertEquals(401, Await.result(http.get("/api/v1/agents").putHeader("authorization", "Bearer " + login.bodyAsJsonObject().getString("token"))
          .send()).statusCode(), "a new password ends the sessions");
      assertEquals(0, cli(conf, "", "user", "rm", "carol").exit());
      assertEquals(401, Await.result(http.post("/api/v1/login")
          .sendJsonObject(new JsonObject().put("name", "carol").put("password", "cli-password-2"))).statusCode());

      Run users = cli(conf, "", "user", "list");
      assertFalse(users.out().contains("carol"), users.out());
      assertTrue(id.startsWith("tok-"), id);
    } finally {
      Await.result(vertx.close());
      Await.result(hub.close());
    }
    // the audit log, as a store reader sees it
    Vertx reader = Vertx.vertx();
    try {
      io.mirador.store.Stores stores = io.mirador.store.Stores.open(reader, store);
      List<AuditEntry> entries = Await.result(stores.audit().newest(100));
      assertTrue(entries.stream().anyMatch(e -> e.action().equals("user.create") && e.target().equals("carol") && e.kind().equals("cli")
          && e.remote().equals("cli")), entries.toString());
      assertTrue(entries.stream().anyMatch(e -> e.action().equals("token.revoke") && e.target().equals(doomedId)));
      Await.result(stores.backend().close());
      io.vertx.redis.client.RedisAPI redis = io.vertx.redis.client.RedisAPI.api(io.vertx.redis.client.Redis.createClient(reader, REDIS));
      List<String> keys = new java.util.ArrayList<>();
      Await.result(redis.keys(prefix + "*")).forEach(key -> keys.add(key.toString()));
      if (!keys.isEmpty()) {
        Await.result(redis.unlink(keys));
      }
      redis.close();
    } finally {
      Await.result(reader.close());
    }
  }

  @Test
  void aMemoryStoreIsRefusedWithTheWayToDoItInstead() throws Exception {
    Path conf = dir.resolve("standalone.json");
    Files.writeString(conf, "{}");
    Run run = cli(conf, "", "token", "list");
    assertEquals(2, run.exit());
    assertTrue(run.err().contains("/api/v1/tokens"), run.err());
  }
}
