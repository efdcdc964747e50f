package io.mirador.config;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Shareable;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * The {@code tls} section of a client connection ({@code transport.amqp.tls}, {@code store.redis.tls}), used when
 * the URL asks for TLS ({@code amqps://}, {@code rediss://}). The server's certificate is always verified: against
 * the trust store when one is set, else against the JVM's default trust store (the public CAs, or
 * {@code -Djavax.net.ssl.trustStore}). There is no way to trust any certificate; a self-signed server certificate
 * goes into the trust store like a CA.
 *
 * <p>Reading the stores is file I/O: {@link #preload} does it on a worker at start-up, and {@link #material} hands the
 * result to the clients.
 *
 * @param key                where the section is, for error messages: {@code transport.amqp.tls}
 * @param trustStore         a PEM file of CA certificates, or a PKCS12 or JKS key store; empty: the JVM's default
 * @param trustStorePassword password of a PKCS12 or JKS trust store (empty: none); never logged
 * @param keyStore           PKCS12 or JKS key store with this client's key and certificate chain, for a server that
 *                           asks for client certificates (mutual TLS); empty: none
 * @param keyStorePassword   password of the key store and of the key in it; never logged
 * @param verifyHostname     the server's certificate must name the host of the URL (a DNS name or IP address in its
 *                           subject alternative names)
 */
public record TlsSettings(String key, String trustStore, String trustStorePassword, String keyStore, String keyStorePassword,
                          boolean verifyHostname) {

  private static final String LOADED = "mirador.tls";

  public TlsSettings {
    if (!keyStore.isEmpty() && keyStorePassword.isEmpty()) {
      throw new IllegalArgumentException(key + ".keyStorePassword is required with " + key + ".keyStore");
    }
  }

  /** Reads the {@code tls} object of {@code parent}; {@code key} names it in errors (e.g. {@code store.redis.tls}). */
  public static TlsSettings of(JsonObject parent, String key) {
    Object value = parent.getValue("tls");
    if (value != null && !(value instanceof JsonObject)) {
      throw new IllegalArgumentException(key + " must be an object, got " + value);
    }
    JsonObject tls = value == null ? new JsonObject() : (JsonObject) value;
    Object verify = tls.getValue("verifyHostname", true);
    if (!(verify instanceof Boolean)) {
      throw new IllegalArgumentException(key + ".verifyHostname must be true or false, got " + verify);
    }
    return new TlsSettings(key, string(tls, key, "trustStore").trim(), string(tls, key, "trustStorePassword"),
        string(tls, key, "keyStore").trim(), string(tls, key, "keyStorePassword"), (Boolean) verify);
  }

  /** Whether a store is named: a plain (non-TLS) URL with this is a mistake worth refusing. */
  public boolean configured() {
    return !trustStore.isEmpty() || !keyStore.isEmpty();
  }

  /** Whom the server's certificate is checked against, for logs and errors. */
  public String trustedBy() {
    return trustStore.isEmpty() ? "the JVM's default trust store" : "the CAs in " + key + ".trustStore (" + trustStore + ")";
  }

  /** One line for the log of a connection: what was checked. */
  public String summary() {
    return "TLS, certificate checked against " + trustedBy()
        + (verifyHostname ? ", host name verified" : ", host name NOT verified (" + key + ".verifyHostname: false)")
        + (keyStore.isEmpty() ? "" : ", client certificate from " + keyStore);
  }

  /** The trust and key managers these settings name. */
  public record Material(TrustManagerFactory trust, KeyManagerFactory keys) {

    /** A TLS client context: verifies the server against {@link #trust}, shows the client certificate if any. */
    public SSLContext sslContext() {
      try {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
        return context;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot make a TLS context: " + e.getMessage(), e);
      }
    }
  }

  /**
   * Reads and checks the stores. Blocking (file I/O). A missing or unreadable file, a wrong password, a trust store
   * without certificates or a key store without a key is an {@link IllegalArgumentException} naming the key.
   */
  public Material load() {
    return new Material(loadTrust(), keyStore.isEmpty() ? null : loadKeys());
  }

  /**
   * Loads the material of these settings on a worker and keeps it for {@link #material}, once per Vert.x instance:
   * start-up does this so that no event loop reads a key store, and so that a bad store stops it.
   */
  public static Future<Void> preload(Vertx vertx, Collection<TlsSettings> settings) {
    if (settings.isEmpty()) {
      return Future.succeededFuture();
    }
    Loaded loaded = Loaded.of(vertx);
    return vertx.executeBlocking(() -> {
      for (TlsSettings each : settings) {
        loaded.materials.computeIfAbsent(each, TlsSettings::load);
      }
      return null;
    }, false).mapEmpty();
  }

  /** The material {@link #preload} loaded for these settings, or loaded now (blocking) when it did not (tests). */
  public Material material(Vertx vertx) {
    return Loaded.of(vertx).materials.computeIfAbsent(this, TlsSettings::load);
  }

  /**
   * Why a connection failed, in words, when TLS is the reason (an untrusted certificate, a host name it does not
   * name, a handshake the server refused); null when the failure has nothing to do with TLS.
   */
  public String explain(Throwable failure) {
    boolean tls = false;
    Throwable root = failure;
    for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      root = cause;
      if (cause instanceof CertPathBuilderException || cause instanceof CertPathValidatorException) {
        return "TLS: the server's certificate is not trusted, checked against " + trustedBy() + ": " + cause.getMessage();
      }
      if (cause instanceof CertificateException && cause.getMessage() != null
          && (cause.getMessage().startsWith("No subject alternative") || cause.getMessage().startsWith("No name matching"))) {
        return "TLS: the server's certificate is not for this host name (" + key + ".verifyHostname): " + cause.getMessage();
      }
      tls |= cause instanceof SSLException || cause instanceof CertificateException;
    }
    return tls ? "TLS handshake failed: " + (root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage()) : null;
  }

  @Override
  public String toString() {
    return "TlsSettings[" + key + ", trustStore " + (trustStore.isEmpty() ? "(JVM default)" : trustStore)
        + (keyStore.isEmpty() ? "" : ", keyStore " + keyStore) + ", verifyHostname " + verifyHostname + "]";
  }

  private TrustManagerFactory loadTrust() {
    KeyStore store = null;
    if (!trustStore.isEmpty()) {
      byte[] content = read(trustStore, "trustStore");
      store = isPem(content) ? pemTrustStore(content) : keyStore(trustStore, content, trustStorePassword, "trustStore");
      if (!hasCertificate(store)) {
        throw new IllegalArgumentException(key + ".trustStore (" + trustStore + ") holds no certificate"
            + (isPem(content) ? "" : "; is " + key + ".trustStorePassword right?"));
      }
    }
    try {
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store); // null: the JVM's default trust store
      return factory;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(key + ".trustStore: " + trustedBy() + " cannot be used: " + e.getMessage(), e);
    }
  }

  private KeyManagerFactory loadKeys() {
    byte[] content = read(keyStore, "keyStore");
    if (isPem(content)) {
      throw new IllegalArgumentException(key + ".keyStore (" + keyStore + ") must be a PKCS12 or JKS key store, not PEM"
          + " (openssl pkcs12 -export -inkey client.key -in client.crt -out client.p12 makes one)");
    }
    KeyStore store = keyStore(keyStore, content, keyStorePassword, "keyStore");
    try {
      if (Collections.list(store.aliases()).stream().noneMatch(alias -> isKey(store, alias))) {
        throw new IllegalArgumentException(key + ".keyStore (" + keyStore + ") holds no private key");
      }
      KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, keyStorePassword.toCharArray());
      return factory;
    } catch (UnrecoverableKeyException e) {
      throw new IllegalArgumentException(key + ".keyStorePassword does not open the key in " + keyStore + ": " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(key + ".keyStore (" + keyStore + ") cannot be used: " + e.getMessage(), e);
    }
  }

  private byte[] read(String path, String name) {
    Path file = Path.of(path);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(key + "." + name + ": no such file " + file.toAbsolutePath());
    }
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(key + "." + name + ": cannot read " + file.toAbsolutePath() + ": " + e.getMessage(), e);
    }
  }

  private static boolean isPem(byte[] content) {
    return new String(content, StandardCharsets.ISO_8859_1).contains("-----BEGIN ");
  }

  private KeyStore pemTrustStore(byte[] content) {
    try {
      Collection<? extends Certificate> certificates =
          CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(content));
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int n = 0;
      for (Certificate certificate : certificates) {
        store.setCertificateEntry("ca-" + n++, certificate);
      }
      return store;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException(key + ".trustStore (" + trustStore + ") is not a readable PEM file of certificates: "
          + e.getMessage(), e);
    }
  }

  /** PKCS12 or JKS, whichever the content is (the JDK's keystore type detection). */
  private KeyStore keyStore(String path, byte[] content, String password, String name) {
    List<String> types = List.of("PKCS12", "JKS");
    IOException passwordProblem = null;
    for (String type : types) {
      try {
        KeyStore store = KeyStore.getInstance(type);
        store.load(new ByteArrayInputStream(content), password.isEmpty() ? null : password.toCharArray());
        return store;
      } catch (IOException e) {
        if (e.getCause() instanceof UnrecoverableKeyException || String.valueOf(e.getMessage()).contains("password")) {
          passwordProblem = e;
        }
      } catch (GeneralSecurityException e) {
        // not this type
      }
    }
    if (passwordProblem != null) {
      throw new IllegalArgumentException(key + "." + name + "Password is wrong for " + path + " (" + passwordProblem.getMessage() + ")",
          passwordProblem);
    }
    throw new IllegalArgumentException(key + "." + name + " (" + path + ") is neither a PEM file of certificates nor a PKCS12 or JKS key store");
  }

  private static boolean hasCertificate(KeyStore store) {
    try {
      for (String alias : Collections.list(store.aliases())) {
        if (store.getCertificate(alias) != null) {
          return true;
        }
      }
      return false;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static boolean isKey(KeyStore store, String alias) {
    try {
      return store.isKeyEntry(alias);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static String string(JsonObject tls, String key, String name) {
    Object value = tls.getValue(name, "");
    if (!(value instanceof String text)) {
      // a password is not echoed; a number in YAML is quoted to stay a string (0123 would be read as octal)
      throw new IllegalArgumentException(key + "." + name + " must be a string (in quotes in YAML), got "
          + (!name.endsWith("Password") ? value : value instanceof Number ? "a number" : "a " + value.getClass().getSimpleName()));
    }
    return text;
  }

  /** The material loaded in this Vert.x instance, by settings. */
  private static final class Loaded implements Shareable {

    final ConcurrentMap<TlsSettings, Material> materials = new ConcurrentHashMap<>();

    static Loaded of(Vertx vertx) {
      return vertx.sharedData().<String, Loaded>getLocalMap(LOADED).computeIfAbsent("default", ignored -> new Loaded());
    }
  }
}
