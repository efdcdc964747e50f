package io.mirador.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.Addresses;
import io.mirador.Mirador;
import io.mirador.metrics.Meters;
import io.mirador.testing.Await;
import io.mirador.testing.TestConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Generated junk against a running hub. REST: bodies and queries (random, truncated, wrong types, deep nesting, huge
 * numbers, unicode, bad percent-encoding) on every API route that takes them, over real HTTP; no answer may be a 5xx,
 * and what the hub holds afterwards is exactly what the accepted requests made (a model kept from the 2xx answers is
 * compared with the API's lists). Envelopes: random and mutated valid ones through the hub's real ingest path (the
 * channel, the engine and the store; the event-bus transport's rejection is the broker's dead-letter): each is stored or
 * dead-lettered with a reason, the rejected counter grows by exactly the number dead-lettered, and no agent exists that
 * no accepted envelope named.
 *
 * <p>Seeded: the seed is printed and named in every failure; {@code -Dfuzz.seed=N} replays one, {@code -Dfuzz.count=N}
 * runs N of each (default 100,000 of each, as the security issue asks: about 40 s here).
 */
class FuzzTest {

  private static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());
  private static final int COUNT = Integer.getInteger("fuzz.count", 100_000);
  private static final int LANES = 16;

  private static Mirador hub;
  private static Vertx client;
  private static HttpClient http;
  /** Reads state on connections of its own: the fuzzing client's may be left half-used by answers that came early. */
  private static HttpClient reader;
  private static int port;

  @BeforeAll
  static void start() {
    System.out.println("FuzzTest seed " + SEED + ", " + COUNT + " of each (-Dfuzz.seed=" + SEED + " replays it)");
    hub = Await.result(Mirador.start(Mirador.Mode.HUB, TestConfig.hubOnly()));
    port = hub.httpPort();
    client = Vertx.vertx();
    http = client.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port).setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(LANES));
    reader = client.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port).setKeepAlive(false));
  }

  @AfterAll
  static void stop() {
    Await.result(client.close());
    Await.result(hub.close());
  }

  // ---------------------------------------------------------------- REST

  /** What the accepted requests made, per kind: name → what its last accepted PUT answered (null for notifiers). */
  private final Map<String, Map<String, String>> model = new ConcurrentHashMap<>();
  private final Set<String> silences = ConcurrentHashMap.newKeySet();
  private final Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();

  @Test
  void restBodiesAndQueries() {
    for (String kind : List.of("checks", "rules", "notifiers")) {
      model.put(kind, new ConcurrentHashMap<>());
    }
    String agentsBefore = get("/api/v1/agents");
    List<Future<Void>> lanes = new ArrayList<>();
    int perLane = (COUNT + LANES - 1) / LANES;
    for (int lane = 0; lane < LANES; lane++) {
      Random random = new Random(SEED * 31 + lane);
      int l = lane;
      lanes.add(Future.<Void>future(p -> client.runOnContext(v -> lane(l, random, perLane, p))));
    }
    Await.result(Future.all(lanes), Duration.ofMinutes(30));
    System.out.println("FuzzTest REST answers by status: " + new TreeMap<>(statuses));
    for (String kind : List.of("checks", "rules", "notifiers")) {
      JsonArray listed = new JsonObject(get("/api/v1/" + kind)).getJsonArray(kind);
      Map<String, String> held = new TreeMap<>();
      listed.forEach(item -> held.put(((JsonObject) item).getString("name"), comparable(kind, (JsonObject) item)));
      assertEquals(new TreeMap<>(model.get(kind)), held, kind + " differ from what the accepted requests made (seed " + SEED + ")");
    }
    Set<String> listedSilences = new TreeSet<>();
    new JsonObject(get("/api/v1/silences")).getJsonArray("silences").forEach(s -> listedSilences.add(((JsonObject) s).getString("id")));
    assertEquals(new TreeSet<>(silences), listedSilences, "silences (seed " + SEED + ")");
    assertEquals(agentsBefore, get("/api/v1/agents"), "no REST request makes agents (seed " + SEED + ")");
    assertTrue(statuses.keySet().stream().noneMatch(s -> s >= 500), "5xx answers " + statuses + " (seed " + SEED + ")");
  }

  private void lane(int lane, Random random, int remaining, Promise<Void> done) {
    if (remaining == 0) {
      done.complete();
      return;
    }
    Request request;
    try {
      request = request(lane, random);
    } catch (RuntimeException e) {
      done.fail(new AssertionError("the generator failed (seed " + SEED + ")", e));
      return;
    }
    Future.<Void>succeededFuture().compose(v -> send(request)).onComplete(answered -> {
      if (answered.failed()) {
        done.fail(new AssertionError(request + " failed: " + answered.cause() + " (seed " + SEED + ")", answered.cause()));
      } else {
        lane(lane, random, remaining - 1, done);
      }
    });
  }

  private Future<Void> send(Request request) {
    // a hub asks every caller for a token: the fuzzer is an authenticated admin, so what it meets is validation
    RequestOptions options = new RequestOptions().setMethod(request.method).setURI(request.uri).setIdleTimeout(20_000)
        .putHeader("authorization", TestConfig.bearer());
    return http.request(options)
        .compose(req -> {
          if (request.body != null) {
            req.putHeader("content-type", "application/json");
            return req.send(Buffer.buffer(request.body));
          }
          return req.send();
        })
        .compose(resp -> resp.body().map(body -> {
          answered(request, resp.statusCode(), body.toString(StandardCharsets.UTF_8));
          return null;
        }));
  }

  private void answered(Request request, int status, String body) {
    statuses.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
    if (status >= 500) {
      throw new AssertionError(request + " answered " + status + ": " + body + " (seed " + SEED + ")");
    }
    if (status >= 400 && request.uri.startsWith("/api/") && !body.contains("\"error\"")) {
      throw new AssertionError(request + " answered " + status + " without a JSON error: " + body + " (seed " + SEED + ")");
    }
    if (status >= 300 || request.kind == null) {
      return;
    }
    switch (request.kind) {
      case "silences" -> {
        if (request.method == HttpMethod.POST) {
          silences.add(new JsonObject(body).getString("id"));
        }
      }
      default -> {
        if (request.method == HttpMethod.PUT) {
          model.get(request.kind).put(request.name, comparable(request.kind, new JsonObject(body)));
        } else if (request.method == HttpMethod.DELETE) {
          model.get(request.kind).remove(request.name);
        }
      }
    }
  }

  /** A definition as both its PUT answer and the list show it: the check's revision and notifiers' settings left out. */
  private static String comparable(String kind, JsonObject json) {
    JsonObject copy = json.copy();
    copy.remove("revision");
    return kind.equals("notifiers") ? copy.getString("name") + "/" + copy.getString("type") : new TreeMap<>(copy.getMap()).toString();
  }

  private record Request(HttpMethod method, String uri, String body, String kind, String name) {
    @Override
    public String toString() {
      String shown = body == null ? "" : " body " + (body.length() > 200 ? body.substring(0, 200) + "..." : body);
      return method + " " + (uri.length() > 200 ? uri.substring(0, 200) + "..." : uri) + shown;
    }
  }

  private static final String[] QUERY_PATHS = {"/api/v1/series", "/api/v1/results", "/api/v1/silences", "/api/v1/alerts",
      "/api/v1/agents", "/api/v1/checks", "/api/v1/rules", "/api/v1/notifiers", "/api/v1/health", "/api/v1/cluster"};
  private static final String[] QUERY_KEYS = {"agent", "metric", "from", "to", "step", "tag.cpu", "tag.", "check", "status", "state",
      "limit", "%zz", "a%", ""};

  private Request request(int lane, Random random) {
    String name = "f" + lane + "-" + random.nextInt(4);
    int pick = random.nextInt(100);
    if (pick < 25) {
      return new Request(HttpMethod.PUT, "/api/v1/checks/" + pathName(random, name), body(random, checkTemplate(random)), "checks", name);
    } else if (pick < 40) {
      return new Request(HttpMethod.PUT, "/api/v1/rules/" + pathName(random, name), body(random, ruleTemplate(random)), "rules", name);
    } else if (pick < 48) {
      return new Request(HttpMethod.PUT, "/api/v1/notifiers/" + pathName(random, name), body(random, notifierTemplate(random)), "notifiers",
          name);
    } else if (pick < 58) {
      return new Request(HttpMethod.POST, "/api/v1/silences", body(random, silenceTemplate(random)), "silences", null);
    } else if (pick < 64) {
      String kind = List.of("checks", "rules", "notifiers").get(random.nextInt(3));
      return new Request(HttpMethod.DELETE, "/api/v1/" + kind + "/" + pathName(random, name), null, kind, name);
    } else if (pick < 68) {
      // a method the path does not take, with or without a body
      HttpMethod method = List.of(HttpMethod.POST, HttpMethod.PATCH, HttpMethod.PUT, HttpMethod.DELETE).get(random.nextInt(4));
      String path = QUERY_PATHS[random.nextInt(QUERY_PATHS.length)];
      return new Request(method, path, random.nextBoolean() ? body(random, checkTemplate(random)) : null, null, null);
    } else {
      StringBuilder uri = new StringBuilder(QUERY_PATHS[random.nextInt(QUERY_PATHS.length)]);
      int params = random.nextInt(6);
      for (int i = 0; i < params; i++) {
        uri.append(i == 0 ? '?' : '&').append(QUERY_KEYS[random.nextInt(QUERY_KEYS.length)]).append('=').append(queryValue(random));
      }
      return new Request(HttpMethod.GET, uri.toString(), null, null, null);
    }
  }

  /** Mostly the lane's name; now and then a name that is no name, or does not decode. */
  private static String pathName(Random random, String name) {
    return switch (random.nextInt(20)) {
      case 0 -> "%zz";
      case 1 -> "%E2%82";
      case 2 -> "a%2Fb";
      case 3 -> "x".repeat(300);
      case 4 -> "%F0%9F%92%A9";
      default -> name;
    };
  }

  private static String queryValue(Random random) {
    return switch (random.nextInt(12)) {
      case 0 -> "%zz";
      case 1 -> "%";
      case 2 -> "-1";
      case 3 -> "99999999999999999999999";
      case 4 -> "1e308";
      case 5 -> "%E2%9C%93";
      case 6 -> "now-5m";
      case 7 -> "critical";
      case 8 -> "x".repeat(random.nextInt(2000));
      case 9 -> "";
      case 10 -> "%00";
      default -> Long.toString(System.currentTimeMillis() - random.nextInt(3_600_000));
    };
  }

  private static JsonObject checkTemplate(Random random) {
    JsonObject check = new JsonObject().put("interval", 1 + random.nextInt(600));
    if (random.nextBoolean()) {
      check.put("argv", new JsonArray().add("/bin/true").add("--x"));
    } else {
      check.put("command", "true");
    }
    if (random.nextBoolean()) {
      check.put("subscriptions", new JsonArray().add("web").add("all"));
    }
    if (random.nextInt(4) == 0) {
      check.put("timeout", 5).put("format", "nagios").put("env", new JsonObject().put("A", "b"));
    }
    return check;
  }

  private static JsonObject ruleTemplate(Random random) {
    return switch (random.nextInt(3)) {
      case 0 -> new JsonObject().put("kind", "agent").put("status", "down").put("severity", "critical");
      case 1 -> new JsonObject().put("kind", "threshold").put("metric", "cpu.usage").put("tags", new JsonObject().put("cpu", "total"))
          .put("op", ">").put("value", 90).put("for", "2m").put("severity", "warning");
      default -> new JsonObject().put("kind", "absent").put("metric", "up").put("for", "1m");
    };
  }

  private static JsonObject notifierTemplate(Random random) {
    return random.nextBoolean()
        ? new JsonObject().put("type", "webhook").put("url", "http://127.0.0.1:9/hook")
        : new JsonObject().put("type", "script").put("argv", new JsonArray().add("/bin/true"));
  }

  private static JsonObject silenceTemplate(Random random) {
    return new JsonObject()
        .put("matchers", new JsonArray().add(new JsonObject().put("name", "alertname").put("value", "X" + random.nextInt(10))))
        .put("endsAt", java.time.Instant.now().plusSeconds(60 + random.nextInt(3600)).toString())
        .put("createdBy", "fuzz").put("comment", "c");
  }

  /** A body: the valid template, a mutation of it, or junk. */
  private static String body(Random random, JsonObject template) {
    int pick = random.nextInt(10);
    if (pick < 2) {
      return template.encode();
    }
    if (pick < 7) {
      return Junk.mutate(random, template).encode();
    }
    String text = template.encode();
    return switch (random.nextInt(6)) {
      case 0 -> text.substring(0, random.nextInt(text.length())); // truncated
      case 1 -> Junk.deep(random.nextInt(3000));
      case 2 -> Junk.unicode(random, random.nextInt(200));
      case 3 -> Junk.bytes(random, random.nextInt(300));
      case 4 -> "[" + text + "]";
      default -> random.nextBoolean() ? "null" : Junk.number(random);
    };
  }

  private static String get(String path) {
    return Await.result(reader.request(HttpMethod.GET, path).compose(req -> req.putHeader("authorization", TestConfig.bearer()).send())
        .compose(resp -> resp.body()))
        .toString(StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------- envelopes

  @Test
  void envelopesThroughTheIngestPath() {
    Meters meters = Meters.of(hub.vertx());
    double rejectedBefore = rejectedTotal(meters);
    Set<String> acceptedAgents = ConcurrentHashMap.newKeySet();
    for (JsonObject agent : agents()) {
      acceptedAgents.add(agent.getString("id"));
    }
    AtomicLong rejected = new AtomicLong();
    AtomicLong accepted = new AtomicLong();
    Random random = new Random(SEED);
    int batch = 256;
    for (int from = 0; from < COUNT; from += batch) {
      List<Future<Void>> inFlight = new ArrayList<>();
      for (int i = from; i < Math.min(COUNT, from + batch); i++) {
        Envelope sent = envelope(random, i);
        inFlight.add(hub.vertx().eventBus().request(Addresses.INGEST, Buffer.buffer(sent.bytes)).<Void>transform(answer -> {
          if (answer.succeeded()) {
            accepted.incrementAndGet();
            if (sent.agent != null) {
              acceptedAgents.add(sent.agent);
            }
            return Future.succeededFuture();
          }
          if (answer.cause() instanceof ReplyException reply && reply.failureCode() == 400 && reply.getMessage() != null
              && !reply.getMessage().isBlank()) {
            rejected.incrementAndGet();
            return Future.succeededFuture();
          }
          return Future.failedFuture(new AssertionError("envelope neither stored nor dead-lettered with a reason: " + answer.cause()
              + "; sent " + sent + " (seed " + SEED + ")"));
        }));
      }
      Await.result(Future.all(inFlight), Duration.ofMinutes(5));
    }
    System.out.println("FuzzTest envelopes: " + accepted + " stored, " + rejected + " dead-lettered");
    assertEquals(rejected.get(), rejectedTotal(meters) - rejectedBefore, "every dead-lettered envelope counted once (seed " + SEED + ")");
    for (JsonObject agent : agents()) {
      assertTrue(acceptedAgents.contains(agent.getString("id")), "agent " + agent.getString("id") + " made by junk (seed " + SEED + ")");
    }
    assertEquals(200, Await.result(reader.request(HttpMethod.GET, "/api/v1/health").compose(req -> req.send())).statusCode());
  }

  private static List<JsonObject> agents() {
    return new JsonObject(get("/api/v1/agents")).getJsonArray("agents").stream().map(JsonObject.class::cast).toList();
  }

  private static final Pattern REJECTED = Pattern.compile("(?m)^mirador_events_rejected_total\\{[^}]*\\} (\\S+)$");

  private static double rejectedTotal(Meters meters) {
    double sum = 0;
    Matcher m = REJECTED.matcher(meters.scrape());
    while (m.find()) {
      sum += Double.parseDouble(m.group(1));
    }
    return sum;
  }

  /** Bytes to ingest, and the agent id the hub will file them under should it take them (a valid id in a valid envelope). */
  private record Envelope(byte[] bytes, String agent) {
    @Override
    public String toString() {
      String text = new String(bytes, StandardCharsets.UTF_8);
      return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }
  }

  private static Envelope envelope(Random random, int i) {
    long now = System.currentTimeMillis();
    String agent = random.nextInt(4) == 0 ? "fz-" + random.nextInt(50) : "fuzz-agent-" + random.nextInt(5);
    JsonObject valid = new JsonObject().put("v", 1).put("agent", agent).put("seq", 1 + (long) i).put("ts", now);
    switch (random.nextInt(4)) {
      case 0 -> valid.put("type", "metrics").put("body", new JsonObject().put("samples", new JsonArray()
          .add(new JsonObject().put("name", "cpu.usage").put("tags", new JsonObject().put("cpu", "total")).put("value", 12.5).put("ts", now))));
      case 1 -> valid.put("type", "check").put("body", new JsonObject().put("check", "disk").put("status", 1).put("output", "WARN")
          .put("perfdata", new JsonArray()).put("durationMs", 12).put("executed", now));
      case 2 -> valid.put("type", "heartbeat").put("body", new JsonObject().put("hostname", "h").put("busy", false)
          .put("startedAt", now - 1000).put("interval", 10));
      default -> valid.put("type", "log").put("body", new JsonObject().put("source", "s").put("level", "info").put("line", "l").put("ts", now));
    }
    int pick = random.nextInt(10);
    if (pick < 3) {
      return new Envelope(valid.encode().getBytes(StandardCharsets.UTF_8), agent);
    }
    if (pick < 8) {
      JsonObject mutated = Junk.mutate(random, valid);
      Object id = mutated.getValue("agent");
      return new Envelope(mutated.encode().getBytes(StandardCharsets.UTF_8), id instanceof String s ? s : null);
    }
    String text = valid.encode();
    byte[] bytes = switch (random.nextInt(5)) {
      case 0 -> text.substring(0, random.nextInt(text.length())).getBytes(StandardCharsets.UTF_8);
      case 1 -> Junk.deep(random.nextInt(3000)).getBytes(StandardCharsets.UTF_8);
      case 2 -> Junk.unicode(random, random.nextInt(300)).getBytes(StandardCharsets.UTF_8);
      case 3 -> Junk.bytes(random, random.nextInt(500)).getBytes(StandardCharsets.ISO_8859_1);
      default -> text.replace("\"ts\":" + now, "\"ts\":" + List.of("10000000000000000", "9223372036854775807", "1", "0", "-5",
          Long.toString(now + 86_400_000L)).get(random.nextInt(6))).getBytes(StandardCharsets.UTF_8);
    };
    return new Envelope(bytes, null);
  }

  /** The generators both kinds share. */
  static final class Junk {

    static JsonObject mutate(Random random, JsonObject valid) {
      JsonObject copy = valid.copy();
      int mutations = 1 + random.nextInt(3);
      for (int i = 0; i < mutations; i++) {
        mutateOne(random, copy);
      }
      return copy;
    }

    private static void mutateOne(Random random, JsonObject object) {
      List<String> fields = new ArrayList<>(object.fieldNames());
      if (fields.isEmpty() || random.nextInt(8) == 0) {
        object.put(unicode(random, 1 + random.nextInt(10)), value(random)); // an unknown field
        return;
      }
      String field = fields.get(random.nextInt(fields.size()));
      Object current = object.getValue(field);
      if (current instanceof JsonObject nested && random.nextBoolean()) {
        mutateOne(random, nested);
      } else if (current instanceof JsonArray array && !array.isEmpty() && array.getValue(0) instanceof JsonObject nested && random.nextBoolean()) {
        mutateOne(random, nested);
      } else if (random.nextInt(5) == 0) {
        object.remove(field);
      } else {
        object.put(field, value(random));
      }
    }

    static Object value(Random random) {
      return switch (random.nextInt(14)) {
        case 0 -> null;
        case 1 -> random.nextBoolean();
        case 2 -> Long.MAX_VALUE;
        case 3 -> Long.MIN_VALUE;
        case 4 -> 1e308 * (random.nextBoolean() ? 1 : -1);
        case 5 -> new java.math.BigInteger("9".repeat(1 + random.nextInt(400)));
        case 6 -> -0.0;
        case 7 -> unicode(random, random.nextInt(100));
        case 8 -> "x".repeat(random.nextInt(70_000));
        case 9 -> new JsonArray().add(value(random)).add(value(random));
        case 10 -> new JsonObject().put("k", random.nextInt());
        case 11 -> new JsonObject(deep(1 + random.nextInt(200)).replaceFirst("^\\[", "{\"a\":[").replaceFirst("\\]$", "]}"));
        case 12 -> random.nextDouble() * 1e6;
        default -> random.nextInt();
      };
    }

    static String deep(int depth) {
      return "[".repeat(depth) + "]".repeat(depth);
    }

    static String unicode(Random random, int length) {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < length; i++) {
        int kind = random.nextInt(6);
        if (kind == 0) {
          text.append((char) (0xD800 + random.nextInt(0x800))); // a lone surrogate
        } else if (kind == 1) {
          text.appendCodePoint(0x1F300 + random.nextInt(0x300)); // emoji
        } else if (kind == 2) {
          text.append((char) random.nextInt(0x20)); // control characters
        } else {
          text.appendCodePoint(0x20 + random.nextInt(0x2FFF));
        }
      }
      return text.toString();
    }

    static String bytes(Random random, int length) {
      char[] chars = new char[length];
      for (int i = 0; i < length; i++) {
        chars[i] = (char) random.nextInt(256);
      }
      return new String(chars);
    }

    static String number(Random random) {
      return List.of("1e999999", "-0", "99999999999999999999999999999999", "0x10", "NaN", "Infinity", "1.5e-400").get(random.nextInt(7));
    }
  }
}
