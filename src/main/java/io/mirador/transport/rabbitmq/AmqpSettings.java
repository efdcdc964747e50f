package io.mirador.transport.rabbitmq;

import io.mirador.config.Settings;
import io.mirador.config.TlsSettings;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * The {@code transport.amqp} section of the configuration, read and checked once per transport.
 *
 * @param url                 broker address with credentials; never logged, see {@link #safeUrl()}
 * @param prefetch            unacked deliveries one hub consumer holds at most
 * @param commandTtlSeconds   how long a command waits in an agent's queue before the broker drops it
 * @param ingestQueueType     {@code quorum} or {@code classic}, for the {@code mirador.ingest} queue
 * @param reconnectInitialMs  first wait after a lost or failed connection; doubles on each failure
 * @param reconnectMaxMs      longest wait between two connection attempts
 * @param confirmTimeoutMs    a publish not confirmed by then fails, so the agent spools it
 * @param requeueDelayMs      how long a delivery the hub could not store waits before it goes back to the queue
 * @param maxMessageBytes     largest message an agent publishes; larger events are undeliverable
 * @param tls                 {@code transport.amqp.tls}: how an {@code amqps://} broker is verified
 */
public record AmqpSettings(String url, int prefetch, int commandTtlSeconds, String ingestQueueType, int reconnectInitialMs,
                           int reconnectMaxMs, int confirmTimeoutMs, int requeueDelayMs, int maxMessageBytes, TlsSettings tls) {

  public static final String DEFAULT_URL = "amqp://guest:guest@127.0.0.1:5672";
  /** Chosen by measurement, see docs/RABBITMQ.md. */
  public static final int DEFAULT_PREFETCH = 250;

  public AmqpSettings {
    if (!ingestQueueType.equals("quorum") && !ingestQueueType.equals("classic")) {
      throw new IllegalArgumentException("transport.amqp.ingestQueueType must be quorum or classic, got '" + ingestQueueType + "'");
    }
    if (reconnectMaxMs < reconnectInitialMs) {
      throw new IllegalArgumentException("transport.amqp.reconnectMaxMs must not be below reconnectInitialMs");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("transport.amqp.url (env MIRADOR_AMQP_URL) is not a URL: " + safe(url));
    }
    if (!"amqp".equals(uri.getScheme()) && !"amqps".equals(uri.getScheme())) {
      throw new IllegalArgumentException("transport.amqp.url (env MIRADOR_AMQP_URL) must be an amqp:// or amqps:// URL, got " + safe(url));
    }
    try {
      // a host the client cannot read (host:notaport, 1.2.3.4.5) would otherwise be dropped and the client's default,
      // localhost, used instead: a hub silently talking to another broker
      URI server = uri.parseServerAuthority();
      if (server.getHost() == null || server.getPort() > 65535) {
        throw new URISyntaxException(url, "no host, or a port out of range");
      }
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("transport.amqp.url (env MIRADOR_AMQP_URL) must be amqp[s]://[user:password@]host[:port][/vhost]"
          + " with a valid host name or address and a numeric port, got " + safe(url));
    }
    if (tls.configured() && !url.startsWith("amqps://")) {
      throw new IllegalArgumentException("transport.amqp.tls names a trust or key store but transport.amqp.url is not amqps:// ("
          + safe(url) + "): use amqps:// to connect with TLS");
    }
  }

  public static AmqpSettings of(JsonObject config) {
    JsonObject amqp = Settings.section(config, "transport", "amqp");
    return new AmqpSettings(
        amqp.getString("url", DEFAULT_URL),
        Settings.positiveInt(amqp, "prefetch", DEFAULT_PREFETCH),
        Settings.positiveInt(amqp, "commandTtlSeconds", 3600),
        amqp.getString("ingestQueueType", "quorum"),
        Settings.positiveInt(amqp, "reconnectInitialMs", 500),
        Settings.positiveInt(amqp, "reconnectMaxMs", 30_000),
        Settings.positiveInt(amqp, "confirmTimeoutMs", 15_000),
        Settings.positiveInt(amqp, "requeueDelayMs", 1_000),
        Settings.positiveInt(amqp, "maxMessageBytes", 1024 * 1024),
        TlsSettings.of(amqp, "transport.amqp.tls"));
  }

  /** Whether the URL asks for TLS: then {@link #tls} decides whom to trust. */
  public boolean usesTls() {
    return url.startsWith("amqps://");
  }

  /** The URL without user and password, for logs and errors. */
  public String safeUrl() {
    return safe(url);
  }

  private static String safe(String url) {
    int at = url.lastIndexOf('@');
    int scheme = url.indexOf("://");
    return at < 0 || scheme < 0 || at < scheme ? url : url.substring(0, scheme + 3) + url.substring(at + 1);
  }

  @Override
  public String toString() {
    return "AmqpSettings[" + safeUrl() + ", prefetch " + prefetch + "]";
  }
}
