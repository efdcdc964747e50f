package io.mirador.store.redis;

import static io.mirador.store.redis.RedisTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.Mirador;
import io.mirador.model.Sample;
import io.mirador.store.Admission;
import io.mirador.store.LatestValue;
import io.mirador.store.WriteBatch;
import io.mirador.testing.TestCertificates;
import io.mirador.testing.TestConfig;
import io.mirador.testing.TlsProxy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * rediss:// for real: the store reaches the local Redis through a TLS proxy that shows a certificate of a CA made for
 * the test (Redis itself stays as it is), and gets an answer only when that certificate is trusted and names the
 * host it asked for.
 */
class RedisTlsTest {

  private static Vertx vertx;
  private static RedisAPI admin;
  private static TestCertificates certificates;
  private static URI plain;

  private final String prefix = RedisTestSupport.uniquePrefix();
  private final Deque<Runnable> cleanups = new ArrayDeque<>();

  @BeforeAll
  static void setUp() {
    certificates = TestCertificates.get();
    vertx = Vertx.vertx();
    admin = RedisTestSupport.admin(vertx);
    plain = URI.create(RedisTestSupport.URL);
  }

  @AfterAll
  static void tearDown() {
    admin.close();
    await(vertx.close());
  }

  @AfterEach
  void cleanUp() {
    cleanups.forEach(Runnable::run);
    RedisTestSupport.deleteKeys(admin, prefix);
  }

  @Test
  void withTheCaInTheTrustStoreTheStorePingsWritesAndReads() {
    TlsProxy proxy = proxy(certificates.server(), null);
    RedisStore store = store(proxy, trust(certificates.caPem()));

    await(store.ping());
    long now = System.currentTimeMillis();
    assertEquals(Admission.ACCEPTED, await(store.write("tls-agent", 1, new WriteBatch(now).samples(List.of(Sample.of("cpu.load", 0.5, now))))));
    assertEquals(List.of(new LatestValue("cpu.load", Map.of(), 0.5, now)), await(store.latest("tls-agent")));
    assertTrue(proxy.forwarded() >= 1, "through the TLS proxy");
    assertTrue(RedisTestSupport.keys(admin, prefix).size() > 0, "the write is in Redis");
  }

  @Test
  void aPkcs12TrustStoreAndAClientCertificateServeAServerThatAsksForOne() {
    TlsProxy proxy = proxy(certificates.server(), certificates.trustP12());
    JsonObject mutual = new JsonObject().put("trustStore", certificates.trustP12().toString()).put("trustStorePassword", TestCertificates.PASSWORD)
        .put("keyStore", certificates.client().toString()).put("keyStorePassword", TestCertificates.PASSWORD);
    await(store(proxy, mutual).ping());
    int withCertificate = proxy.forwarded();

    Future<Void> anonymous = store(proxy, trust(certificates.caPem())).ping();
    await(anonymous.otherwiseEmpty());
    assertTrue(anonymous.failed(), "no client certificate, no answer");
    assertEquals(withCertificate, proxy.forwarded(), "only the store with a certificate got through");
  }

  @Test
  void anUntrustedCertificateIsRefusedAndNothingIsWritten() {
    TlsProxy proxy = proxy(certificates.selfSigned(), null);
    RedisStore store = store(proxy, trust(certificates.caPem()));

    long now = System.currentTimeMillis();
    Future<Admission> write = store.write("tls-agent", 1, new WriteBatch(now).samples(List.of(Sample.of("cpu.load", 0.5, now))));
    await(write.otherwiseEmpty());
    assertInstanceOf(RedisStoreException.class, write.cause());
    assertTrue(write.cause().getMessage().contains("TLS: the server's certificate is not trusted, checked against the CAs in "
        + "store.redis.tls.trustStore (" + certificates.caPem() + ")"), write.cause().getMessage());
    assertEquals(0, proxy.forwarded(), "no byte reached Redis");
    assertEquals(List.of(), RedisTestSupport.keys(admin, prefix));
  }

  @Test
  void aSelfSignedServerCertificateIsTrustedOnceItIsItselfTheTrustStore() {
    TlsProxy proxy = proxy(certificates.selfSigned(), null);
    await(store(proxy, trust(certificates.selfSignedPem())).ping());
    assertTrue(proxy.forwarded() >= 1);
  }

  @Test
  void withoutATrustStoreTheJvmDefaultsDecideAndAPrivateCaIsNotTrusted() {
    TlsProxy proxy = proxy(certificates.server(), null);
    Future<Void> ping = store(proxy, new JsonObject()).ping();
    await(ping.otherwiseEmpty());
    assertTrue(ping.failed());
    assertTrue(ping.cause().getMessage().contains("not trusted, checked against the JVM's default trust store"), ping.cause().getMessage());
    assertEquals(0, proxy.forwarded());
  }

  @Test
  void aCertificateForAnotherHostIsRefusedUnlessHostnameVerificationIsTurnedOff() {
    TlsProxy proxy = proxy(certificates.wrongHost(), null);
    Future<Void> ping = store(proxy, trust(certificates.caPem())).ping();
    await(ping.otherwiseEmpty());
    assertTrue(ping.failed());
    assertTrue(ping.cause().getMessage().contains("TLS: the server's certificate is not for this host name (store.redis.tls.verifyHostname)"),
        ping.cause().getMessage());
    assertEquals(0, proxy.forwarded());

    await(store(proxy, trust(certificates.caPem()).put("verifyHostname", false)).ping());
    assertTrue(proxy.forwarded() >= 1, "signed by the trusted CA is enough once host names are not verified");
  }

  @Test
  void anUnusableTrustStoreIsRefusedNamingTheKey() {
    JsonObject section = section(0, new JsonObject().put("trustStore", certificates.trustJks().toString()).put("trustStorePassword", "not-it"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RedisStore(vertx, section));
    assertTrue(e.getMessage().startsWith("store.redis.tls.trustStorePassword is wrong for " + certificates.trustJks()), e.getMessage());
  }

  @Test
  void anUnusableTrustStoreStopsTheHubStartingNamingTheKey() {
    Path missing = Path.of("/nonexistent/redis-ca.pem");
    JsonObject config = TestConfig.hubOnly().put("store", new JsonObject().put("type", "redis")
        .put("redis", section(6380, trust(missing))));
    Future<Mirador> hub = Mirador.start(Mirador.Mode.HUB, config);
    await(hub.otherwiseEmpty());
    assertTrue(hub.failed(), "the hub does not start");
    assertEquals("store.redis.tls.trustStore: no such file " + missing, hub.cause().getMessage());
  }

  // ---- helpers

  private TlsProxy proxy(Path serverKeyStore, Path clientCas) {
    TlsProxy proxy = TlsProxy.start(vertx, serverKeyStore, clientCas, plain.getHost(), plain.getPort());
    cleanups.addLast(proxy::close); // after the stores going through it
    return proxy;
  }

  private RedisStore store(TlsProxy proxy, JsonObject tls) {
    RedisStore store = new RedisStore(vertx, section(proxy.port(), tls));
    cleanups.push(() -> await(store.close()));
    return store;
  }

  private JsonObject section(int port, JsonObject tls) {
    return RedisTestSupport.section(prefix).put("url", "rediss://127.0.0.1:" + port + plain.getPath()).put("tls", tls)
        .put("connectTimeoutMs", 2_000).put("commandTimeoutMs", 5_000);
  }

  private static JsonObject trust(Path file) {
    return new JsonObject().put("trustStore", file.toString());
  }
}
