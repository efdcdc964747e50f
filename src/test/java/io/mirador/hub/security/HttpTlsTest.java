package io.mirador.hub.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.Mirador;
import io.mirador.testing.Await;
import io.mirador.testing.TestCertificates;
import io.mirador.testing.TestConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PfxOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS with http.tls: a real TLS client that trusts the test CA logs in; a plain client and an untrusting one fail. */
class HttpTlsTest {

  @TempDir
  Path dir;

  @Test
  void theApiAnswersOverTlsWithTheCertificateOfAPkcs12KeyStore() {
    TestCertificates certificates = TestCertificates.get();
    JsonObject config = TestConfig.hubOnly();
    config.getJsonObject("http").put("tls", new JsonObject().put("keyStore", certificates.server().toString())
        .put("keyStorePassword", TestCertificates.PASSWORD));
    Mirador hub = Await.result(Mirador.start(Mirador.Mode.HUB, config));
    Vertx vertx = Vertx.vertx();
    try {
      WebClient trusting = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(hub.httpPort())
          .setSsl(true).setVerifyHost(true).setTrustOptions(new PfxOptions().setPath(certificates.trustP12().toString())
              .setPassword(TestCertificates.PASSWORD)));
      HttpResponse<Buffer> me = Await.result(trusting.get("/api/v1/session").putHeader("authorization", TestConfig.bearer()).send());
      assertEquals(200, me.statusCode());
      assertEquals("admin", me.bodyAsJsonObject().getString("role"));

      assertEquals(201, Await.result(trusting.put("/api/v1/users/tina").putHeader("authorization", TestConfig.bearer())
          .sendJsonObject(new JsonObject().put("password", "over-tls-only").put("role", "viewer"))).statusCode());
      HttpResponse<Buffer> login = Await.result(trusting.post("/api/v1/login")
          .sendJsonObject(new JsonObject().put("name", "tina").put("password", "over-tls-only")));
      String cookie = login.cookies().get(0);
      assertTrue(cookie.contains("Secure"), "the session cookie goes over HTTPS only: " + cookie);

      WebClient plain = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(hub.httpPort()));
      assertNotNull(failure(plain.get("/api/v1/session").send()), "plain HTTP gets no answer from a TLS port");
      WebClient untrusting = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(hub.httpPort())
          .setSsl(true).setVerifyHost(true));
      assertNotNull(failure(untrusting.get("/api/v1/session").send()), "a certificate no one trusts is refused by the client");
    } finally {
      Await.result(vertx.close());
      Await.result(hub.close());
    }
  }

  @Test
  void aPemCertificateAndKeyServeTheApiToo() throws Exception {
    TestCertificates certificates = TestCertificates.get();
    java.security.KeyStore p12 = java.security.KeyStore.getInstance("PKCS12");
    try (var in = java.nio.file.Files.newInputStream(certificates.server())) {
      p12.load(in, TestCertificates.PASSWORD.toCharArray());
    }
    String alias = java.util.Collections.list(p12.aliases()).stream().filter(a -> isKey(p12, a)).findFirst().orElseThrow();
    java.util.Base64.Encoder base64 = java.util.Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    StringBuilder chain = new StringBuilder();
    for (java.security.cert.Certificate certificate : p12.getCertificateChain(alias)) {
      chain.append("-----BEGIN CERTIFICATE-----\n").append(base64.encodeToString(certificate.getEncoded())).append("\n-----END CERTIFICATE-----\n");
    }
    Path cert = dir.resolve("hub.crt");
    Path key = dir.resolve("hub.key");
    java.nio.file.Files.writeString(cert, chain);
    java.nio.file.Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
        + base64.encodeToString(p12.getKey(alias, TestCertificates.PASSWORD.toCharArray()).getEncoded()) + "\n-----END PRIVATE KEY-----\n");

    JsonObject config = TestConfig.hubOnly();
    config.getJsonObject("http").put("tls", new JsonObject().put("certificate", cert.toString()).put("key", key.toString()));
    Mirador hub = Await.result(Mirador.start(Mirador.Mode.HUB, config));
    Vertx vertx = Vertx.vertx();
    try {
      WebClient trusting = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(hub.httpPort())
          .setSsl(true).setVerifyHost(true).setTrustOptions(new io.vertx.core.net.PemTrustOptions().addCertPath(certificates.caPem().toString())));
      assertEquals(200, Await.result(trusting.get("/api/v1/agents").putHeader("authorization", TestConfig.bearer()).send()).statusCode());
      assertEquals(401, Await.result(trusting.get("/api/v1/agents").send()).statusCode());
    } finally {
      Await.result(vertx.close());
      Await.result(hub.close());
    }
  }

  private static boolean isKey(java.security.KeyStore store, String alias) {
    try {
      return store.isKeyEntry(alias);
    } catch (java.security.KeyStoreException e) {
      return false;
    }
  }

  @Test
  void aHalfGivenOrMissingTlsSettingStopsTheStartNamingTheKey() {
    JsonObject halfPem = TestConfig.hubOnly();
    halfPem.getJsonObject("http").put("tls", new JsonObject().put("certificate", dir.resolve("cert.pem").toString()));
    assertTrue(failureOf(Mirador.start(Mirador.Mode.HUB, halfPem)).contains("http.tls.key"));
    JsonObject missing = TestConfig.hubOnly();
    missing.getJsonObject("http").put("tls", new JsonObject().put("keyStore", dir.resolve("nope.p12").toString()).put("keyStorePassword", "x"));
    assertTrue(failureOf(Mirador.start(Mirador.Mode.HUB, missing)).contains("http.tls.keyStore"));
  }

  private static Throwable failure(Future<?> future) {
    return Await.result(future.transform(ar -> Future.<Throwable>succeededFuture(ar.cause())));
  }

  private static String failureOf(Future<?> future) {
    Throwable cause = failure(future);
    return cause == null ? "(started)" : cause.getMessage();
  }
}
