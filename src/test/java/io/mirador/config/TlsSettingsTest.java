package io.mirador.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.store.redis.RedisStoreConfig;
import io.mirador.testing.Await;
import io.mirador.testing.TestCertificates;
import io.mirador.transport.rabbitmq.AmqpSettings;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading and checking the tls sections, on real files made by keytool. */
class TlsSettingsTest {

  private static final String KEY = "transport.amqp.tls";
  private static TestCertificates certificates;

  @TempDir
  Path dir;

  @BeforeAll
  static void makeCertificates() {
    certificates = TestCertificates.get();
  }

  @Test
  void theDocumentedDefaultsAreTheDefaults() {
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject config = Await.result(ConfigLoader.load(vertx, null, Map.of(), new JsonObject()));
      TlsSettings amqp = AmqpSettings.of(config).tls();
      assertEquals(TlsSettings.of(new JsonObject(), KEY), amqp, "conf/mirador.yaml and TlsSettings say the same");
      assertEquals(new TlsSettings(KEY, "", "", "", "", true), amqp);
      assertEquals(new TlsSettings("store.redis.tls", "", "", "", "", true),
          RedisStoreConfig.from(config.getJsonObject("store").getJsonObject("redis")).tls());
      assertFalse(amqp.configured());
    } finally {
      Await.result(vertx.close());
    }
  }

  @Test
  void aPemFileAPkcs12AndAJksTrustStoreAllTrustTheCa() {
    for (TlsSettings settings : List.of(
        tls(new JsonObject().put("trustStore", certificates.caPem().toString())),
        tls(new JsonObject().put("trustStore", certificates.trustP12().toString()).put("trustStorePassword", TestCertificates.PASSWORD)),
        tls(new JsonObject().put("trustStore", certificates.trustJks().toString()).put("trustStorePassword", TestCertificates.PASSWORD)))) {
      TlsSettings.Material material = settings.load();
      assertEquals(List.of("CN=Mirador Test CA"), issuers(material), settings.toString());
      assertNull(material.keys());
      assertNotNull(material.sslContext());
    }
  }

  @Test
  void withoutATrustStoreTheJvmDefaultDecidesAndDoesNotKnowThePrivateCa() {
    TlsSettings.Material material = tls(new JsonObject()).load();
    assertFalse(issuers(material).contains("CN=Mirador Test CA"));
    assertEquals("the JVM's default trust store", tls(new JsonObject()).trustedBy());
  }

  @Test
  void aClientKeyStoreGivesKeyManagers() {
    TlsSettings settings = tls(new JsonObject().put("trustStore", certificates.caPem().toString())
        .put("keyStore", certificates.client().toString()).put("keyStorePassword", TestCertificates.PASSWORD));
    assertNotNull(settings.load().keys());
    assertTrue(settings.summary().contains("client certificate from " + certificates.client()), settings.summary());
  }

  @Test
  void unusableStoresAreRefusedNamingTheKey() throws Exception {
    Path garbage = Files.writeString(dir.resolve("garbage.p12"), "not a key store");
    Map<JsonObject, String> cases = Map.of(
        new JsonObject().put("trustStore", dir.resolve("missing.pem").toString()), KEY + ".trustStore: no such file",
        new JsonObject().put("trustStore", certificates.trustP12().toString()).put("trustStorePassword", "bad-pass-42"), KEY + ".trustStorePassword is wrong",
        new JsonObject().put("trustStore", certificates.trustJks().toString()).put("trustStorePassword", "bad-pass-42"), KEY + ".trustStorePassword is wrong",
        new JsonObject().put("trustStore", garbage.toString()), KEY + ".trustStore (" + garbage + ") is neither",
        new JsonObject().put("keyStore", certificates.client().toString()).put("keyStorePassword", "bad-pass-42"), KEY + ".keyStorePassword is wrong",
        new JsonObject().put("keyStore", certificates.trustP12().toString()).put("keyStorePassword", TestCertificates.PASSWORD), KEY + ".keyStore (" + certificates.trustP12() + ") holds no private key",
        new JsonObject().put("keyStore", certificates.caPem().toString()).put("keyStorePassword", TestCertificates.PASSWORD), "must be a PKCS12 or JKS key store, not PEM");
    cases.forEach((section, expected) -> {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tls(section).load(), section::encode);
      assertTrue(e.getMessage().contains(expected), e.getMessage());
      assertFalse(e.getMessage().contains("bad-pass-42"), "no password in " + e.getMessage());
    });
  }

  @Test
  void badValuesAreRefusedNamingTheKey() {
    assertMessage(KEY + ".keyStorePassword is required", () -> tls(new JsonObject().put("keyStore", "client.p12")));
    assertMessage(KEY + ".verifyHostname must be true or false", () -> tls(new JsonObject().put("verifyHostname", "no")));
    assertMessage(KEY + ".trustStorePassword must be a string (in quotes in YAML), got a number",
        () -> tls(new JsonObject().put("trustStorePassword", 123456)));
    assertMessage(KEY + " must be an object", () -> TlsSettings.of(new JsonObject().put("tls", "on"), KEY));
  }

  @Test
  void aStoreWithAPlainUrlIsRefusedRatherThanIgnored() {
    JsonObject tls = new JsonObject().put("trustStore", certificates.caPem().toString());
    assertMessage("transport.amqp.url is not amqps://", () -> AmqpSettings.of(new JsonObject().put("transport", new JsonObject()
        .put("amqp", new JsonObject().put("url", "amqp://guest:guest@broker:5672").put("tls", tls)))));
    assertMessage("store.redis.url is not rediss://",
        () -> RedisStoreConfig.from(new JsonObject().put("url", "redis://broker:6379").put("tls", tls)));
    assertTrue(AmqpSettings.of(new JsonObject().put("transport", new JsonObject()
        .put("amqp", new JsonObject().put("url", "amqps://guest:guest@broker:5671").put("tls", tls)))).usesTls());
  }

  @Test
  void passwordsNeverShow() {
    TlsSettings settings = tls(new JsonObject().put("trustStore", "/etc/mirador/ca.p12").put("trustStorePassword", "s3cret-trust")
        .put("keyStore", "/etc/mirador/client.p12").put("keyStorePassword", "s3cret-key"));
    for (String shown : List.of(settings.toString(), settings.summary(), settings.trustedBy())) {
      assertFalse(shown.contains("s3cret"), shown);
    }
  }

  @Test
  void aFailureIsExplainedWhenTlsIsItsReason() {
    TlsSettings settings = tls(new JsonObject().put("trustStore", "/etc/mirador/ca.pem"));
    String untrusted = settings.explain(handshakeFailure("PKIX path building failed",
        new java.security.cert.CertPathBuilderException("unable to find valid certification path to requested target")));
    assertTrue(untrusted.startsWith("TLS: the server's certificate is not trusted, checked against the CAs in " + KEY
        + ".trustStore (/etc/mirador/ca.pem)"), untrusted);
    String wrongName = settings.explain(handshakeFailure("handshake",
        new java.security.cert.CertificateException("No subject alternative names matching IP address 127.0.0.1 found")));
    assertTrue(wrongName.startsWith("TLS: the server's certificate is not for this host name (" + KEY + ".verifyHostname)"), wrongName);
    assertNull(settings.explain(new java.net.ConnectException("Connection refused")));
  }

  private static SSLHandshakeException handshakeFailure(String message, Throwable cause) {
    SSLHandshakeException failure = new SSLHandshakeException(message);
    failure.initCause(cause);
    return failure;
  }

  private static TlsSettings tls(JsonObject section) {
    return TlsSettings.of(new JsonObject().put("tls", section), KEY);
  }

  private static List<String> issuers(TlsSettings.Material material) {
    X509TrustManager manager = (X509TrustManager) material.trust().getTrustManagers()[0];
    return Arrays.stream(manager.getAcceptedIssuers()).map(X509Certificate::getSubjectX500Principal).map(Object::toString).toList();
  }

  private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable executable) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, executable);
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
