package io.mirador.hub.web;

import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PfxOptions;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code http.tls} section: HTTPS for the API, the dashboard, /metrics and the bridge. Either a PEM certificate
 * chain and its PEM private key ({@code certificate}, {@code key}), or a PKCS12 key store ({@code keyStore},
 * {@code keyStorePassword}), as the AMQP and Redis TLS sections name their stores. Neither: plain HTTP.
 *
 * @param certificate PEM certificate chain, the server's first
 * @param key         PEM private key (PKCS8 or PKCS1) of that certificate
 * @param keyStore    PKCS12 key store with the key and its chain
 * @param keyStorePassword its password; never logged
 */
public record HttpTls(String certificate, String key, String keyStore, String keyStorePassword) {

  /** Reads {@code http.tls}; a half-given or unreadable setting is an IllegalArgumentException naming the key. */
  public static HttpTls of(JsonObject http) {
    Object value = http.getValue("tls");
    if (value != null && !(value instanceof JsonObject)) {
      throw new IllegalArgumentException("http.tls must be an object");
    }
    JsonObject tls = value == null ? new JsonObject() : (JsonObject) value;
    HttpTls settings = new HttpTls(text(tls, "certificate"), text(tls, "key"), text(tls, "keyStore"), text(tls, "keyStorePassword"));
    settings.check();
    return settings;
  }

  public boolean enabled() {
    return !certificate.isEmpty() || !keyStore.isEmpty();
  }

  /** The options with TLS set on them when enabled. */
  public HttpServerOptions apply(HttpServerOptions options) {
    if (!certificate.isEmpty()) {
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(certificate).setKeyPath(key));
    } else if (!keyStore.isEmpty()) {
      options.setSsl(true).setKeyCertOptions(new PfxOptions().setPath(keyStore).setPassword(keyStorePassword));
    }
    return options;
  }

  private void check() {
    if (!certificate.isEmpty() && !keyStore.isEmpty()) {
      throw new IllegalArgumentException("http.tls: give certificate and key (PEM), or keyStore (PKCS12), not both");
    }
    if (certificate.isEmpty() != key.isEmpty()) {
      throw new IllegalArgumentException("http.tls.certificate and http.tls.key go together (PEM certificate chain and its private key)");
    }
    if (!keyStore.isEmpty() && keyStorePassword.isEmpty()) {
      throw new IllegalArgumentException("http.tls.keyStorePassword is required with http.tls.keyStore");
    }
    for (String[] file : new String[][] {{"certificate", certificate}, {"key", key}, {"keyStore", keyStore}}) {
      if (!file[1].isEmpty() && !Files.isReadable(Path.of(file[1]))) {
        throw new IllegalArgumentException("http.tls." + file[0] + ": cannot read " + Path.of(file[1]).toAbsolutePath());
      }
    }
  }

  private static String text(JsonObject tls, String name) {
    Object value = tls.getValue(name, "");
    if (!(value instanceof String text)) {
      throw new IllegalArgumentException("http.tls." + name + " must be a string (in quotes in YAML)");
    }
    return text.strip();
  }

  @Override
  public String toString() {
    return "HttpTls[" + (enabled() ? certificate.isEmpty() ? "keyStore " + keyStore : "certificate " + certificate : "off") + "]";
  }
}
