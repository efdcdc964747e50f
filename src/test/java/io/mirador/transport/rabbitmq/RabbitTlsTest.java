package io.mirador.transport.rabbitmq;

import static io.mirador.transport.rabbitmq.RabbitTransportTest.await;
import static io.mirador.transport.rabbitmq.RabbitTransportTest.metrics;
import static io.mirador.transport.rabbitmq.RabbitTransportTest.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Connection;
import io.mirador.Mirador;
import io.mirador.model.Wire;
import io.mirador.testing.TestCertificates;
import io.mirador.testing.TestConfig;
import io.mirador.testing.TlsProxy;
import io.mirador.transport.TransportStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * amqps:// for real: the transports reach the local RabbitMQ through a TLS proxy that shows a certificate of a CA made
 * for the test (the broker itself stays as it is), and connect only when that certificate is trusted and names the
 * host they asked for.
 */
@ExtendWith(VertxExtension.class)
class RabbitTlsTest {

  private static String vhost;
  private static Connection admin;
  private static TestCertificates certificates;
  private final Deque<Runnable> cleanups = new ArrayDeque<>();

  @BeforeAll
  static void setUp() throws Exception {
    certificates = TestCertificates.get();
    vhost = RabbitBroker.createVhost("tls");
    admin = RabbitBroker.connect(vhost);
  }

  @AfterAll
  static void tearDown() throws Exception {
    admin.close();
    RabbitBroker.deleteVhost(vhost);
  }

  @BeforeEach
  void emptyQueues() throws Exception {
    RabbitBroker.purge(admin, Topology.INGEST_QUEUE);
  }

  @AfterEach
  void close() {
    cleanups.forEach(Runnable::run);
  }

  @Test
  void withTheCaInTheTrustStoreHubAndAgentConnectAndEventsRoundTrip(Vertx vertx) throws Exception {
    TlsProxy proxy = proxy(vertx, certificates.server(), null);
    Set<Long> received = ConcurrentHashMap.newKeySet();
    RabbitHubTransport hub = new RabbitHubTransport(vertx, settings(proxy, trust(certificates.caPem())));
    cleanups.push(() -> await(hub.close()));
    await(hub.consume(delivery -> {
      received.add(Wire.standard().decode(delivery.body()).seq());
      delivery.ack();
    }));
    JsonObject pkcs12 = new JsonObject().put("trustStore", certificates.trustP12().toString())
        .put("trustStorePassword", TestCertificates.PASSWORD);
    RabbitAgentTransport agent = agent(vertx, proxy, pkcs12, "tls-round-trip");

    assertTrue(hub.connected(), "hub connected through TLS");
    assertTrue(agent.connected(), "agent connected through TLS");
    assertEquals(3, proxy.forwarded(), "hub consume + hub publish + agent, all through the TLS proxy");
    assertEquals("UP", TransportStatus.of(vertx).checks().get("rabbitmq").getString("status"));

    List<Future<Void>> confirms = new ArrayList<>();
    for (long seq = 1; seq <= 20; seq++) {
      confirms.add(agent.publish(metrics("tls-round-trip", seq)));
    }
    await(Future.all(confirms));
    waitUntil(() -> received.size() == 20, "all 20 events at the hub");
    assertEquals(LongStream.rangeClosed(1, 20).boxed().collect(Collectors.toSet()), received);
  }

  @Test
  void anUntrustedCertificateIsRefusedAndNothingIsPublished(Vertx vertx) throws Exception {
    TlsProxy proxy = proxy(vertx, certificates.selfSigned(), null);
    RabbitAgentTransport agent = agent(vertx, proxy, trust(certificates.caPem()), "tls-untrusted");

    assertFalse(agent.connected());
    Future<Void> publish = agent.publish(metrics("tls-untrusted", 1));
    await(publish.otherwiseEmpty());
    assertInstanceOf(PublishFailedException.class, publish.cause());
    assertTrue(publish.cause().getMessage().contains("TLS: the server's certificate is not trusted, checked against the CAs in "
        + "transport.amqp.tls.trustStore (" + certificates.caPem() + ")"), publish.cause().getMessage());
    assertEquals(0, proxy.forwarded(), "no byte reached the broker");
    assertTrue(ingestCount() <= 0, "nothing published");
  }

  @Test
  void withoutATrustStoreTheJvmDefaultsDecideAndAPrivateCaIsNotTrusted(Vertx vertx) throws Exception {
    TlsProxy proxy = proxy(vertx, certificates.server(), null);
    RabbitAgentTransport agent = agent(vertx, proxy, new JsonObject(), "tls-default-trust");

    assertFalse(agent.connected(), "amqps:// trusts no longer any certificate");
    Future<Void> publish = agent.publish(metrics("tls-default-trust", 1));
    await(publish.otherwiseEmpty());
    assertTrue(publish.cause().getMessage().contains("not trusted, checked against the JVM's default trust store"),
        publish.cause().getMessage());
    assertEquals(0, proxy.forwarded());
  }

  @Test
  void aCertificateForAnotherHostIsRefusedUnlessHostnameVerificationIsTurnedOff(Vertx vertx) throws Exception {
    TlsProxy proxy = proxy(vertx, certificates.wrongHost(), null);
    RabbitAgentTransport verifying = agent(vertx, proxy, trust(certificates.caPem()), "tls-wrong-host");

    assertFalse(verifying.connected());
    Future<Void> publish = verifying.publish(metrics("tls-wrong-host", 1));
    await(publish.otherwiseEmpty());
    assertTrue(publish.cause().getMessage().contains("TLS: the server's certificate is not for this host name "
        + "(transport.amqp.tls.verifyHostname)"), publish.cause().getMessage());
    assertEquals(0, proxy.forwarded());

    RabbitAgentTransport trusting = agent(vertx, proxy, trust(certificates.caPem()).put("verifyHostname", false), "tls-any-host");
    assertTrue(trusting.connected(), "signed by the trusted CA is enough once host names are not verified");
    await(trusting.publish(metrics("tls-any-host", 1)));
    assertEquals(1, ingestCount());
  }

  @Test
  void aBrokerAskingForAClientCertificateGetsTheConfiguredOne(Vertx vertx) throws Exception {
    TlsProxy proxy = proxy(vertx, certificates.server(), certificates.trustP12());
    JsonObject withKey = new JsonObject().put("trustStore", certificates.trustJks().toString())
        .put("trustStorePassword", TestCertificates.PASSWORD)
        .put("keyStore", certificates.client().toString()).put("keyStorePassword", TestCertificates.PASSWORD);
    RabbitAgentTransport agent = agent(vertx, proxy, withKey, "tls-client-cert");
    assertTrue(agent.connected(), "mutual TLS");
    await(agent.publish(metrics("tls-client-cert", 1)));

    RabbitAgentTransport anonymous = agent(vertx, proxy, trust(certificates.caPem()), "tls-no-client-cert");
    assertFalse(anonymous.connected(), "no client certificate, no connection");
    assertEquals(1, proxy.forwarded(), "only the agent with a certificate got through");
    assertEquals(1, ingestCount());
  }

  @Test
  void anAgentStartedWithAmqpsAndTheCaSendsThroughTls(Vertx vertx, @TempDir Path dataDir) throws Exception {
    TlsProxy proxy = proxy(vertx, certificates.server(), null);
    String url = "amqps://guest:guest@127.0.0.1:" + proxy.port() + "/" + URLEncoder.encode(vhost, StandardCharsets.UTF_8);
    JsonObject config = TestConfig.standalone(dataDir).mergeIn(RabbitBroker.config(url), true);
    config.getJsonObject("transport").getJsonObject("amqp").put("tls", trust(certificates.caPem()));

    Mirador agent = await(Mirador.start(Mirador.Mode.AGENT, config));
    cleanups.push(() -> await(agent.close()));
    waitUntil(() -> ingestCount() > 0, "the agent's first events in mirador.ingest");
    assertEquals(1, proxy.forwarded(), "through the TLS proxy");
  }

  @Test
  void anUnusableTrustStoreStopsStartUpNamingTheKey(@TempDir Path dataDir) {
    String url = "amqps://guest:guest@127.0.0.1:5671/" + URLEncoder.encode(vhost, StandardCharsets.UTF_8);
    Path missing = dataDir.resolve("missing-ca.pem");
    JsonObject config = TestConfig.standalone(dataDir).mergeIn(RabbitBroker.config(url), true);
    config.getJsonObject("transport").getJsonObject("amqp").put("tls", trust(missing));

    Future<Mirador> agent = Mirador.start(Mirador.Mode.AGENT, config);
    await(agent.otherwiseEmpty());
    assertTrue(agent.failed(), "the agent does not start");
    assertEquals("transport.amqp.tls.trustStore: no such file " + missing, agent.cause().getMessage());

    config.getJsonObject("transport").getJsonObject("amqp").put("tls", new JsonObject()
        .put("trustStore", certificates.trustP12().toString()).put("trustStorePassword", "not-the-password"));
    Future<Mirador> again = Mirador.start(Mirador.Mode.AGENT, config);
    await(again.otherwiseEmpty());
    assertTrue(again.failed());
    assertTrue(again.cause().getMessage().startsWith("transport.amqp.tls.trustStorePassword is wrong for " + certificates.trustP12()),
        again.cause().getMessage());
  }

  @Test
  void aTransportMadeWithAnUnusableTrustStoreFailsToStart(Vertx vertx) {
    TlsProxy proxy = proxy(vertx, certificates.server(), null);
    RabbitAgentTransport agent = new RabbitAgentTransport(vertx, settings(proxy, trust(Path.of("/nonexistent/ca.pem"))), "tls-bad-config");
    cleanups.push(() -> await(agent.close()));
    Future<Void> started = agent.onCommand(command -> { });
    await(started.otherwiseEmpty());
    assertInstanceOf(IllegalArgumentException.class, started.cause());
    assertTrue(started.cause().getMessage().startsWith("transport.amqp.tls.trustStore: no such file"), started.cause().getMessage());
    assertEquals(0, proxy.forwarded());
  }

  // ---- helpers

  private TlsProxy proxy(Vertx vertx, Path serverKeyStore, Path clientCas) {
    TlsProxy proxy = TlsProxy.start(vertx, serverKeyStore, clientCas, RabbitBroker.HOST, RabbitBroker.PORT);
    cleanups.addLast(proxy::close); // after the transports going through it
    return proxy;
  }

  private RabbitAgentTransport agent(Vertx vertx, TlsProxy proxy, JsonObject tls, String id) {
    RabbitAgentTransport agent = new RabbitAgentTransport(vertx, settings(proxy, tls), id);
    cleanups.push(() -> await(agent.close()));
    await(agent.onCommand(command -> { }));
    return agent;
  }

  private static AmqpSettings settings(TlsProxy proxy, JsonObject tls) {
    String url = "amqps://guest:guest@127.0.0.1:" + proxy.port() + "/" + URLEncoder.encode(vhost, StandardCharsets.UTF_8);
    JsonObject config = RabbitBroker.config(url);
    config.getJsonObject("transport").getJsonObject("amqp").put("tls", tls);
    return AmqpSettings.of(config);
  }

  private static JsonObject trust(Path file) {
    return new JsonObject().put("trustStore", file.toString());
  }

  /** Messages in mirador.ingest; -1 while it does not exist (nobody connected to declare it). */
  private static long ingestCount() {
    try {
      return RabbitBroker.messageCount(admin, Topology.INGEST_QUEUE);
    } catch (java.io.IOException e) {
      return -1;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
