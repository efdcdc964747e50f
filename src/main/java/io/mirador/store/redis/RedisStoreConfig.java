package io.mirador.store.redis;

import io.mirador.config.TlsSettings;
import io.vertx.core.json.JsonObject;
import java.net.URI;

/**
 * The {@code store.redis} section: where Redis is, how the keys are named and bounded, how the connection pool
 * behaves when Redis is slow or away. Every key has a default; see conf/mirador.yaml and docs/REDIS.md.
 *
 * @param retentionMs       how long points stay in the hot window
 * @param bucketMs          width of one point bucket (one string key per agent per bucket)
 * @param maxSeriesPerAgent series per agent; samples of a new series past it are refused and counted
 * @param maxBucketBytes    bytes of one agent's points in one bucket; past it the newest points are dropped and counted
 * @param maxGapRanges      ranges of missing seqs tracked per agent; past it the oldest range is forgotten and counted
 * @param poolSize          connections in the pool
 * @param maxPoolWaiting    calls that may wait for a pooled connection; past it a call fails at once
 * @param connectTimeoutMs  bound on opening one connection
 * @param commandTimeoutMs  bound on any one call, so a hung Redis fails calls instead of holding them
 * @param reconnectMinMs    after a connection failure, calls fail at once for this long, then one is let through...
 * @param reconnectMaxMs    ...and the pause doubles on each further failure, up to this
 * @param tls               {@code store.redis.tls}: how a {@code rediss://} server is verified
 */
public record RedisStoreConfig(
    String url,
    String prefix,
    long retentionMs,
    long bucketMs,
    int maxSeriesPerAgent,
    int maxBucketBytes,
    int maxGapRanges,
    int poolSize,
    int maxPoolWaiting,
    int connectTimeoutMs,
    int commandTimeoutMs,
    int reconnectMinMs,
    int reconnectMaxMs,
    TlsSettings tls) {

  public static final String DEFAULT_URL = "redis://127.0.0.1:6379";
  public static final String DEFAULT_PREFIX = "mirador:";

  public RedisStoreConfig {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("store.redis.url is required");
    }
    if (prefix == null) {
      throw new IllegalArgumentException("store.redis.prefix must be a string");
    }
    if (reconnectMaxMs < reconnectMinMs) {
      throw new IllegalArgumentException("store.redis.reconnectMaxMs must be at least reconnectMinMs");
    }
    if (tls.configured() && !url.startsWith("rediss://")) {
      throw new IllegalArgumentException("store.redis.tls names a trust or key store but store.redis.url is not rediss:// ("
          + safeUrl(url) + "): use rediss:// to connect with TLS");
    }
  }

  /** Reads the section; a missing section or key takes its default, a bad value is refused naming its key. */
  public static RedisStoreConfig from(JsonObject redisSection) {
    JsonObject section = redisSection == null ? new JsonObject() : redisSection;
    Object prefix = section.getValue("prefix", DEFAULT_PREFIX);
    if (!(prefix instanceof String)) {
      throw new IllegalArgumentException("store.redis.prefix must be a string, got " + prefix);
    }
    return new RedisStoreConfig(
        section.getString("url", DEFAULT_URL),
        (String) prefix,
        number(section, "retentionSeconds", 3600, 1, Long.MAX_VALUE / 4000) * 1000,
        number(section, "bucketSeconds", 600, 1, Long.MAX_VALUE / 4000) * 1000,
        (int) number(section, "maxSeriesPerAgent", 10_000, 1, Integer.MAX_VALUE),
        (int) number(section, "maxBucketBytes", 16 * 1024 * 1024, 64, 512L * 1024 * 1024),
        (int) number(section, "maxGapRanges", 10_000, 1, Integer.MAX_VALUE),
        (int) number(section, "poolSize", 8, 1, 1024),
        (int) number(section, "maxPoolWaiting", 4096, 0, Integer.MAX_VALUE),
        (int) number(section, "connectTimeoutMs", 2000, 1, Integer.MAX_VALUE),
        (int) number(section, "commandTimeoutMs", 5000, 1, Integer.MAX_VALUE),
        (int) number(section, "reconnectMinMs", 100, 0, Integer.MAX_VALUE),
        (int) number(section, "reconnectMaxMs", 5000, 0, Integer.MAX_VALUE),
        TlsSettings.of(section, "store.redis.tls"));
  }

  /** Whether the URL asks for TLS: then {@link #tls} decides whom to trust. */
  public boolean usesTls() {
    return url.startsWith("rediss://");
  }

  /** The url without its password, for logs and error messages. */
  public String safeUrl() {
    return safeUrl(url);
  }

  /** Without the password: a record's own toString would print the url whole. */
  @Override
  public String toString() {
    return "RedisStoreConfig[" + safeUrl() + ", prefix '" + prefix + "', pool " + poolSize + "]";
  }

  private static String safeUrl(String url) {
    try {
      URI uri = new URI(url);
      if (uri.getRawUserInfo() == null) {
        return url;
      }
      return new URI(uri.getScheme(), "***", uri.getHost(), uri.getPort(), uri.getPath(), uri.getQuery(), null).toString();
    } catch (Exception e) {
      return "(unparsable redis url)";
    }
  }

  private static long number(JsonObject section, String key, long defaultValue, long min, long max) {
    Object value = section.getValue(key);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof Number number) || number.doubleValue() != number.longValue()) {
      throw new IllegalArgumentException("store.redis." + key + " must be a whole number, got " + value);
    }
    long n = number.longValue();
    if (n < min || n > max) {
      throw new IllegalArgumentException("store.redis." + key + " must be between " + min + " and " + max + ", got " + n);
    }
    return n;
  }
}
