package io.mirador.e2e.prod;

import static io.mirador.e2e.prod.ProdSetup.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.Connection;
import io.mirador.Mirador;
import io.mirador.hub.enroll.AgentKeys;
import io.mirador.model.Command;
import io.mirador.model.Envelope;
import io.mirador.model.EventType;
import io.mirador.model.MetricsBatch;
import io.mirador.model.Sample;
import io.mirador.model.Wire;
import io.mirador.store.Stores;
import io.mirador.transport.rabbitmq.RabbitBroker;
import io.mirador.transport.rabbitmq.Topology;
import io.mirador.trust.CommandSignature;
import io.mirador.trust.Keys;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agents and the hub on a real broker and Redis, agents as processes of their own: enrollment with a token and by an
 * admin's acceptance; envelopes that name an agent they do not come from, dead-lettered and counted while that agent's
 * data and counters stay untouched; commands forged, re-signed, expired or tampered with on the broker, refused by the
 * agent, which keeps following the hub's real changes.
 */
class AgentEnrollmentTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir
  Path dir;

  @Test
  void anAgentWithoutATokenWaitsForAnAdminAndATokenEnrollsAtOnceWithinItsUses() throws Exception {
    try (ProdSetup setup = new ProdSetup(dir, "enroll", null)) {
      Mirador hub = setup.hubInProcess();
      try {
        // no token: the agent asks, waits, keeps what it measures in its spool; the hub stores nothing of it
        setup.java("waiting.log", TickingAgent.class.getName(), agentConf(setup, "waiting", null).toString(), "200");
        String waiting = agentId(setup, "waiting");
        waitUntil(() -> pendingIds(setup).contains(waiting), 60_000, () -> "the agent's request is pending: " + setup.get("/api/v1/agents/pending").body());
        assertEquals(404, EnrolledKey.status(setup, "/api/v1/agents/" + waiting), "nothing of a pending agent is stored");
        assertEquals(404, EnrolledKey.status(setup, "/api/v1/agents/" + waiting + "/key"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(setup.dataDir("waiting").resolve("agent.key"))));

        JsonObject request = pending(setup).stream().map(JsonObject.class::cast).filter(p -> p.getString("agent").equals(waiting)).findFirst().orElseThrow();
        HttpResponse<String> wrong = post(setup, "/api/v1/agents/pending/" + waiting + "/accept", new JsonObject().put("fingerprint", "SHA256:not-it"));
        assertEquals(409, wrong.statusCode(), wrong.body());
        assertTrue(pendingIds(setup).contains(waiting), "a refused acceptance changes nothing");
        HttpResponse<String> accepted = post(setup, "/api/v1/agents/pending/" + waiting + "/accept",
            new JsonObject().put("fingerprint", request.getString("fingerprint")));
        assertEquals(200, accepted.statusCode(), accepted.body());
        assertEquals(true, new JsonObject(accepted.body()).getBoolean("sent"), accepted.body());
        // what it measured while waiting arrives too: the spool held it
        waitUntil(() -> setup.tickPoints(waiting) >= 5, 60_000, () -> "the accepted agent's data is stored");
        assertTrue(new JsonObject(setup.get("/api/v1/agents/" + waiting + "/key").body()).getString("via").startsWith("accepted by"));
        assertFalse(pendingIds(setup).contains(waiting));

        // a token made by an admin, for one host: shown once, listed without its secret, spent by the first agent
        HttpResponse<String> made = post(setup, "/api/v1/enrollment-tokens", new JsonObject().put("uses", 1).put("ttlSeconds", 600)
            .put("description", "one host"));
        assertEquals(201, made.statusCode(), made.body());
        String token = new JsonObject(made.body()).getString("token");
        // a bad request is a 400 with its reason and changes nothing
        assertEquals(400, post(setup, "/api/v1/enrollment-tokens", new JsonObject().put("uses", 0)).statusCode());
        assertEquals(400, post(setup, "/api/v1/enrollment-tokens", new JsonObject().put("ttlSeconds", "soon")).statusCode());
        assertEquals(1, new JsonObject(setup.get("/api/v1/enrollment-tokens").body()).getJsonArray("tokens").size());
        assertEquals(404, post(setup, "/api/v1/agents/pending/nobody/accept", new JsonObject()).statusCode());
        assertEquals(404, delete(setup, "/api/v1/agents/nobody/key"));
        String listed = setup.get("/api/v1/enrollment-tokens").body();
        assertFalse(listed.contains(token) || listed.contains("\"key\""), "no secret in the list: " + listed);
        setup.java("first.log", TickingAgent.class.getName(), agentConf(setup, "first", token).toString(), "200");
        String first = agentId(setup, "first");
        waitUntil(() -> setup.tickPoints(first) >= 3, 60_000, () -> "the agent with the admin's token is enrolled and stored");
        assertEquals("token " + new JsonObject(made.body()).getString("id"),
            new JsonObject(setup.get("/api/v1/agents/" + first + "/key").body()).getString("via"));
        assertEquals(0, new JsonObject(setup.get("/api/v1/enrollment-tokens").body()).getJsonArray("tokens").getJsonObject(0).getLong("usesLeft"));

        setup.java("second.log", TickingAgent.class.getName(), agentConf(setup, "second", token).toString(), "200");
        String second = agentId(setup, "second");
        waitUntil(() -> pendingIds(setup).contains(second), 60_000, () -> "the used-up token leaves the second agent pending");
        assertTrue(pending(setup).stream().map(JsonObject.class::cast).anyMatch(p -> p.getString("agent").equals(second)
            && p.getString("note").contains("token refused")));
        assertEquals(404, EnrolledKey.status(setup, "/api/v1/agents/" + second));
        assertEquals(204, post(setup, "/api/v1/agents/pending/" + second + "/reject", new JsonObject()).statusCode());
        assertFalse(pendingIds(setup).contains(second));

        // the hub's own bootstrap token (MIRADOR_ENROLL_TOKEN) is reusable
        String bootstrap = setup.agentConf("boot").toString();
        setup.java("boot.log", TickingAgent.class.getName(), bootstrap, "200");
        String boot = agentId(setup, "boot");
        waitUntil(() -> setup.tickPoints(boot) >= 3, 60_000, () -> "the agent with the bootstrap token is stored");
        assertEquals("bootstrap token", new JsonObject(setup.get("/api/v1/agents/" + boot + "/key").body()).getString("via"));
        String metrics = setup.get("/metrics").body();
        assertFalse(metrics.contains(token) || metrics.contains(ProdSetup.ENROLL_TOKEN), "no token in /metrics");
        assertFalse(setup.logs().contains(token) || setup.logs().contains(ProdSetup.ENROLL_TOKEN), "no token in the agents' logs");
      } finally {
        hub.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void envelopesNamingAnAgentTheyDoNotComeFromAreDeadLetteredCountedAndChangeNothingOfIt() throws Exception {
    try (ProdSetup setup = new ProdSetup(dir, "forged-metrics", null); Connection admin = RabbitBroker.connect(setup.vhost)) {
      Mirador hub = setup.hubInProcess();
      try {
        setup.java("victim.log", TickingAgent.class.getName(), setup.agentConf("victim").toString(), "100");
        String victim = agentId(setup, "victim");
        waitUntil(() -> setup.tickPoints(victim) >= 5, 60_000, () -> "the victim's data is stored");
        // an attacker with broker credentials and one enrolled host's key (their own)
        EnrolledKey mallory = EnrolledKey.enroll(setup, admin, "mallory");
        long last = setup.agent(victim).getLong("lastSeq");
        long now = System.currentTimeMillis();
        int forged = 0;
        for (long seq = last + 3; seq < last + 3 + 36; seq++) {
          byte[] body = forgedTick(victim, seq, now);
          EnrolledKey.publish(admin, "metrics." + victim, body, mallory.mac(body));
          forged++;
        }
        byte[] far = forgedTick(victim, 1L << 53, now);
        EnrolledKey.publish(admin, "metrics." + victim, far, mallory.mac(far));
        byte[] bare = forgedTick(victim, last + 50, now);
        EnrolledKey.publish(admin, "metrics." + victim, bare, null);
        EnrolledKey.publish(admin, "metrics.mallory", bare, mallory.mac(bare));
        int mismatches = forged + 1;

        waitUntil(() -> rejected(setup, "agent_mismatch") == mismatches && rejected(setup, "unauthenticated") == 1
            && rejected(setup, "routing_key") == 1, 30_000, () -> "every forgery counted: " + setup.get("/metrics").body());
        List<String> reasons = RabbitBroker.deadReasons(admin, mismatches + 2);
        assertEquals(mismatches, reasons.stream().filter(r -> r.startsWith("agent_mismatch: ")).count(), reasons::toString);
        assertEquals(1, reasons.stream().filter(r -> r.startsWith("unauthenticated: ")).count(), reasons::toString);
        assertEquals(1, reasons.stream().filter(r -> r.startsWith("routing_key: ")).count(), reasons::toString);

        // the victim's own events with those seqs come, and are stored as its own: no duplicate, no gap
        waitUntil(() -> setup.agent(victim).getLong("lastSeq", 0L) > last + 60, 60_000, () -> "the victim's seqs pass the forged ones");
        JsonObject after = setup.agent(victim);
        assertEquals(0, after.getLong("duplicates"), after::encode);
        assertEquals(0, after.getLong("gaps"), after::encode);
        assertEquals(after.getLong("lastSeq"), after.getLong("received"), after::encode);
        JsonArray points = ProdSetup.tickSeries(setup.httpPort, victim);
        for (Object point : points) {
          assertTrue(((JsonArray) point).getDouble(1) >= 0, "no forged value among the victim's points: " + point);
        }

        // revoked: mallory's own, correctly authenticated envelopes are refused from now on
        assertEquals(204, delete(setup, "/api/v1/agents/mallory/key"));
        byte[] own = Wire.standard().encode(Envelope.of(EventType.METRICS, "mallory", 1, now,
            new MetricsBatch(List.of(new Sample("test.tick", Map.of(), 1, now)))));
        EnrolledKey.publish(admin, "metrics.mallory", own, mallory.mac(own));
        waitUntil(() -> rejected(setup, "unknown_agent") == 1, 30_000, () -> "the revoked key is refused");
        assertEquals(404, EnrolledKey.status(setup, "/api/v1/agents/mallory"));
      } finally {
        hub.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void commandsForgedResignedExpiredOrTamperedOnTheBrokerAreRefusedAndTheAgentFollowsTheHub() throws Exception {
    try (ProdSetup setup = new ProdSetup(dir, "forged-commands", null); Connection admin = RabbitBroker.connect(setup.vhost)) {
      Mirador hub = setup.hubInProcess();
      try {
        setup.java("target.log", TickingAgent.class.getName(), setup.agentConf("target", 1).toString(), "1000");
        String target = agentId(setup, "target");
        waitUntil(() -> revision(setup, target) >= 0, 60_000, () -> "the agent applied the hub's check assignment: " + setup.agent(target));
        Path pwned = dir.resolve("pwned");
        long now = System.currentTimeMillis();
        byte[] config = config(target, 999_999, "touch " + pwned);
        KeyPair other = Keys.generate(Keys.ED25519);
        AgentKeys.HubKeys hubKeys = hubKeys(hub, setup);
        var hubSigning = Keys.privateKey(Keys.ED25519, hubKeys.signingPrivate());

        Map<String, String> attacks = new java.util.LinkedHashMap<>(); // what is sent → the reason the agent gives
        sendCommand(admin, target, config, Map.of());
        attacks.put("unsigned config", "unsigned");
        sendCommand(admin, target, config, signature(other.getPrivate(), now + 60_000, config));
        attacks.put("config signed with another key", "bad signature");
        sendCommand(admin, target, config, signature(hubSigning, now - 1_000, config));
        attacks.put("a hub-signed config past its expiry", "expired");
        byte[] elsewhere = config("another-agent", 999_999, "touch " + pwned);
        sendCommand(admin, target, elsewhere, signature(hubSigning, now + 60_000, elsewhere));
        attacks.put("a hub-signed config for another agent", "command for agent another-agent");
        byte[] job = job(target, "true");
        Map<String, Object> jobSignature = signature(hubSigning, now + 60_000, job);
        byte[] tampered = job(target, "touch " + pwned);
        sendCommand(admin, target, tampered, jobSignature);
        attacks.put("a hub-signed job whose body was changed", "bad signature");

        waitUntil(() -> {
          try {
            return RabbitBroker.messageCount(admin, Topology.DEAD_QUEUE) >= attacks.size();
          } catch (Exception e) {
            return false;
          }
        }, 30_000, () -> "every forged command dead-lettered by the agent");
        List<String> reasons = RabbitBroker.deadReasons(admin, attacks.size());
        List<String> expected = List.copyOf(attacks.values());
        for (int i = 0; i < expected.size(); i++) {
          assertTrue(reasons.get(i).startsWith("refused by the agent: " + expected.get(i)), List.copyOf(attacks.keySet()).get(i) + ": " + reasons.get(i));
        }

        // the hub's real change still takes: the forged revision 999999 did not put the agent ahead of it
        HttpResponse<String> put = put(setup, "/api/v1/checks/real_check", new JsonObject().put("command", "echo OK").put("interval", 60));
        assertEquals(201, put.statusCode(), put.body());
        long real = new JsonObject(put.body()).getLong("revision");
        waitUntil(() -> revision(setup, target) == real, 60_000, () -> "the agent applies the hub's revision " + real + ": " + setup.agent(target));
        assertFalse(Files.exists(pwned), "no forged command ran");
      } finally {
        hub.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void aRekeyedAgentWaitsForAnAdminAndGoesOnWithoutLosingAnEvent() throws Exception {
    try (ProdSetup setup = new ProdSetup(dir, "rekey", null)) {
      Mirador hub = setup.hubInProcess();
      try {
        Path conf = setup.agentConf("rotating");
        Process first = setup.java("rotating.log", TickingAgent.class.getName(), conf.toString(), "200");
        String id = agentId(setup, "rotating");
        waitUntil(() -> setup.tickPoints(id) >= 3, 60_000, () -> "enrolled with the token and stored");
        String oldKey = new JsonObject(setup.get("/api/v1/agents/" + id + "/key").body()).getString("fingerprint");
        first.destroy(); // SIGTERM: what it did not send is spooled
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));

        // mirador agent --rekey: a new key pair; the token does not re-key an enrolled id, an admin does
        JsonObject rekey = new JsonObject(Files.readString(conf));
        rekey.getJsonObject("agent").getJsonObject("enroll").put("rekey", true);
        setup.java("rotating.log", TickingAgent.class.getName(), setup.write("rotating-rekey.json", rekey).toString(), "200");
        waitUntil(() -> pendingIds(setup).contains(id), 60_000, () -> "the new key waits for an admin");
        JsonObject request = pending(setup).stream().map(JsonObject.class::cast).filter(p -> p.getString("agent").equals(id)).findFirst().orElseThrow();
        assertTrue(request.getString("note").startsWith("already enrolled with key " + oldKey), request.encode());
        assertEquals(oldKey, new JsonObject(setup.get("/api/v1/agents/" + id + "/key").body()).getString("fingerprint"), "the old key stays until then");
        long before = setup.agent(id).getLong("lastSeq");

        HttpResponse<String> accepted = post(setup, "/api/v1/agents/pending/" + id + "/accept", new JsonObject().put("fingerprint", request.getString("fingerprint")));
        assertEquals(200, accepted.statusCode(), accepted.body());
        waitUntil(() -> setup.agent(id).getLong("lastSeq", 0L) > before + 10, 60_000, () -> "the agent goes on under its new key");
        JsonObject after = setup.agent(id);
        assertEquals(0, after.getLong("gaps"), after::encode);
        assertEquals(0, after.getLong("duplicates"), after::encode);
        assertEquals(after.getLong("lastSeq"), after.getLong("received"), "every seq stored once: " + after.encode());
        assertFalse(oldKey.equals(new JsonObject(setup.get("/api/v1/agents/" + id + "/key").body()).getString("fingerprint")));
      } finally {
        hub.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
  }

  // ---- helpers

  private static Path agentConf(ProdSetup setup, String name, String token) throws Exception {
    Path conf = setup.agentConf(name);
    JsonObject json = new JsonObject(Files.readString(conf));
    if (token == null) {
      json.getJsonObject("agent").remove("enroll");
    } else {
      json.getJsonObject("agent").put("enroll", new JsonObject().put("token", token));
    }
    return setup.write(name + ".json", json);
  }

  private static String agentId(ProdSetup setup, String name) throws Exception {
    Path file = setup.dataDir(name).resolve("agent.id");
    waitUntil(() -> Files.exists(file), 60_000, () -> name + " made its id");
    return Files.readString(file).trim();
  }

  private static JsonArray pending(ProdSetup setup) {
    return new JsonObject(setup.get("/api/v1/agents/pending").body()).getJsonArray("pending");
  }

  private static List<String> pendingIds(ProdSetup setup) {
    return pending(setup).stream().map(p -> ((JsonObject) p).getString("agent")).toList();
  }

  private static long rejected(ProdSetup setup, String reason) {
    return (long) ProdSetup.metric(setup.get("/metrics").body(), "mirador_events_rejected_total{reason=\"" + reason + "\"}");
  }

  private static long revision(ProdSetup setup, String id) {
    return setup.agent(id).getJsonObject("counters", new JsonObject()).getLong("checks_revision", -1L);
  }

  private static byte[] forgedTick(String agent, long seq, long ts) {
    return Wire.standard().encode(Envelope.of(EventType.METRICS, agent, seq, ts,
        new MetricsBatch(List.of(new Sample(TickingAgent.METRIC, Map.of(), -666, ts)))));
  }

  private static byte[] config(String agent, long revision, String command) throws Exception {
    JsonObject payload = new JsonObject().put("revision", revision).put("checks", new JsonArray()
        .add(new JsonObject().put("name", "x").put("command", command).put("interval", 1)));
    return Wire.standard().encode(Envelope.of(EventType.CONFIG, agent, System.nanoTime(), System.currentTimeMillis(),
        new Command("checks-" + revision, (ObjectNode) Wire.MAPPER.readTree(payload.encode()))));
  }

  private static byte[] job(String agent, String command) throws Exception {
    return Wire.standard().encode(Envelope.of(EventType.JOB, agent, 7, 1_764_000_000_000L,
        new Command("job-1", (ObjectNode) Wire.MAPPER.readTree(new JsonObject().put("command", command).encode()))));
  }

  private static Map<String, Object> signature(java.security.PrivateKey key, long notAfter, byte[] envelope) {
    return Map.of(CommandSignature.HEADER, Keys.b64(CommandSignature.sign(key, notAfter, envelope)), CommandSignature.NOT_AFTER, notAfter);
  }

  private static void sendCommand(Connection admin, String agent, byte[] body, Map<String, Object> headers) throws Exception {
    EnrolledKey.publish(admin, Topology.AGENTS_EXCHANGE, agent, body, headers);
  }

  /** The hub's key pairs as stored (what an attacker who read Redis would have; here to sign an expired command). */
  private static AgentKeys.HubKeys hubKeys(Mirador hub, ProdSetup setup) throws Exception {
    JsonObject conf = new JsonObject(Files.readString(setup.hubConf()));
    AgentKeys.HubKeys unused = new AgentKeys.HubKeys("-", "-", "-", "-", 0);
    return Stores.shared(hub.vertx(), conf).agentKeys().hubKeys(unused).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static HttpResponse<String> post(ProdSetup setup, String path, JsonObject body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(setup.base() + path)).header("authorization", io.mirador.testing.TestConfig.bearer()).timeout(Duration.ofSeconds(10))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> put(ProdSetup setup, String path, JsonObject body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(setup.base() + path)).header("authorization", io.mirador.testing.TestConfig.bearer()).timeout(Duration.ofSeconds(10))
        .header("content-type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int delete(ProdSetup setup, String path) {
    return ProdSetup.delete(setup.httpPort, path);
  }
}
