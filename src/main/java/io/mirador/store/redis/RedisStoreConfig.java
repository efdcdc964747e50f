package io.mirador.store.redis;

import io.mirador.config.TlsSettings;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

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
 * @param sentinel          {@code store.redis.sentinel}: find the master through Redis Sentinel; {@link Sentinel#OFF}
 *                          connects to the url's host instead
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
    TlsSettings tls,
    Sentinel sentinel) {

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
    if (sentinel.enabled()) {
      checkForSentinel(url, poolSize, maxPoolWaiting, sentinel);
    } else {
      checkUrl(url);
    }
  }

  /** A url the client would misread or fail on at the first connection is refused at start, naming the setting. */
  private static void checkUrl(String url) {
    URI parsed = parse(url);
    String problem = null;
    if (parsed == null || parsed.getScheme() == null) {
      problem = "not a URL";
    } else if (parsed.getScheme().equals("unix")) {
      return; // unix:///path/to/socket
    } else if (!parsed.getScheme().equals("redis") && !parsed.getScheme().equals("rediss")) {
      problem = "the scheme must be redis or rediss";
    } else {
      try {
        URI server = parsed.parseServerAuthority();
        if (server.getHost() == null || server.getPort() > 65535) {
          problem = "no valid host, or a port out of range";
        }
      } catch (URISyntaxException e) {
        problem = "no valid host, or a port that is not a number";
      }
    }
    if (problem == null) {
      try {
        database(url);
        return;
      } catch (IllegalArgumentException e) {
        problem = e.getMessage();
      }
    }
    throw new IllegalArgumentException("store.redis.url (env MIRADOR_REDIS_URL) must be redis://[user:password@]host:port[/db] or"
        + " rediss://...: " + problem + ", got " + safeUrl(url));
  }

  /**
   * {@code store.redis.sentinel}: the name of the master the sentinels watch ({@code sentinel monitor <name> ...})
   * and where some of the sentinels listen. The client asks them for the master's address, and asks again after a
   * failover. Off when {@code masterName} is empty.
   *
   * @param masterName the master set's name; empty: no Sentinel
   * @param endpoints  {@code redis://host:port} or {@code rediss://host:port} of sentinels, without credentials or
   *                   database (those are {@code store.redis.url}'s), tried in this order
   */
  public record Sentinel(String masterName, List<String> endpoints) {

    public static final Sentinel OFF = new Sentinel("", List.of());

    public Sentinel {
      endpoints = List.copyOf(endpoints);
    }

    public boolean enabled() {
      return !masterName.isEmpty();
    }

    /** Reads {@code store.redis.sentinel}; a bad value is refused naming its key, never echoing a password. */
    static Sentinel from(Object value) {
      if (value == null) {
        return OFF;
      }
      if (!(value instanceof JsonObject section)) {
        throw new IllegalArgumentException("store.redis.sentinel must be an object with masterName and endpoints, got "
            + (value instanceof String text ? safeUrl(text) : value));
      }
      Object name = section.getValue("masterName", "");
      if (!(name instanceof String masterName) || masterName.chars().anyMatch(Character::isWhitespace)) {
        throw new IllegalArgumentException("store.redis.sentinel.masterName must be a name without spaces (as in 'sentinel monitor <name>"
            + " <host> <port> <quorum>'), or empty for no Sentinel; got '" + name + "'");
      }
      Object list = section.getValue("endpoints", new JsonArray());
      if (!(list instanceof JsonArray given)) {
        throw new IllegalArgumentException("store.redis.sentinel.endpoints must be a list of redis://host:port addresses, got "
            + (list instanceof String text ? safeUrl(text) : list));
      }
      List<String> endpoints = new ArrayList<>(given.size());
      for (int i = 0; i < given.size(); i++) {
        endpoints.add(endpoint(given.getValue(i), "store.redis.sentinel.endpoints[" + i + "]"));
      }
      if (masterName.isEmpty() && !endpoints.isEmpty()) {
        throw new IllegalArgumentException("store.redis.sentinel.endpoints are set but store.redis.sentinel.masterName is empty:"
            + " name the master the sentinels monitor, or leave the endpoints out to connect to store.redis.url directly");
      }
      if (!masterName.isEmpty() && endpoints.isEmpty()) {
        throw new IllegalArgumentException("store.redis.sentinel.endpoints is empty: with store.redis.sentinel.masterName set,"
            + " list at least one sentinel (redis://host:26379)");
      }
      return new Sentinel(masterName, endpoints);
    }

    /** One sentinel's address, as {@code scheme://host:port}. */
    private static String endpoint(Object value, String key) {
      if (!(value instanceof String text) || text.isBlank()) {
        throw new IllegalArgumentException(key + " must be a redis://host:port or rediss://host:port string, got " + value);
      }
      URI uri;
      try {
        uri = new URI(text.strip());
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException(key + " is not a redis://host:port address (" + e.getReason() + ")");
      }
      if (uri.getRawUserInfo() != null) {
        throw new IllegalArgumentException(key + " carries a user or password: put them in store.redis.url, whose credentials"
            + " the store gives the sentinels and the data nodes alike");
      }
      if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme())) {
        throw new IllegalArgumentException(key + " must start with redis:// or rediss://, got " + text);
      }
      if (uri.getHost() == null) {
        throw new IllegalArgumentException(key + " has no host: " + text);
      }
      if (uri.getPort() == -1) {
        throw new IllegalArgumentException(key + " has no port (sentinels listen on 26379 unless configured otherwise): " + text);
      }
      if ((uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")) || uri.getRawQuery() != null) {
        throw new IllegalArgumentException(key + " names a database or options (" + text + "): the database is the one in store.redis.url");
      }
      return uri.getScheme() + "://" + uri.getHost() + ":" + uri.getPort();
    }

    @Override
    public String toString() {
      return enabled() ? "master '" + masterName + "' via sentinels " + String.join(",", endpoints) : "no Sentinel";
    }
  }

  /** What the Sentinel client needs of the rest of the section, checked once so that a bad mix stops the start. */
  private static void checkForSentinel(String url, int poolSize, int maxPoolWaiting, Sentinel sentinel) {
    boolean tls = url.startsWith("rediss://");
    for (int i = 0; i < sentinel.endpoints().size(); i++) {
      String endpoint = sentinel.endpoints().get(i);
      if (endpoint.startsWith("rediss://") != tls) {
        throw new IllegalArgumentException("store.redis.sentinel.endpoints[" + i + "] is " + endpoint.substring(0, endpoint.indexOf(':'))
            + ":// but store.redis.url is " + url.substring(0, Math.max(0, url.indexOf(':'))) + "://: the client reaches the"
            + " sentinels and the master the same way, so use rediss:// in both for TLS, redis:// in both for none");
      }
    }
    URI parsed = parse(url);
    if (parsed == null || !("redis".equals(parsed.getScheme()) || "rediss".equals(parsed.getScheme()))) {
      throw new IllegalArgumentException("store.redis.url must be redis://[user:password@]host:port[/db] or rediss://...; with"
          + " store.redis.sentinel it gives the credentials and the database, got " + safeUrl(url));
    }
    database(url);
    if (maxPoolWaiting < poolSize) {
      throw new IllegalArgumentException("store.redis.maxPoolWaiting (" + maxPoolWaiting + ") must be at least store.redis.poolSize ("
          + poolSize + ") with store.redis.sentinel: the Vert.x Sentinel client refuses less");
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
        TlsSettings.of(section, "store.redis.tls"),
        Sentinel.from(section.getValue("sentinel")));
  }

  /** Whether the URL asks for TLS: then {@link #tls} decides whom to trust. */
  public boolean usesTls() {
    return url.startsWith("rediss://");
  }

  /** The url without its password, for logs and error messages. */
  public String safeUrl() {
    return safeUrl(url);
  }

  /**
   * Where the store's Redis is, for logs and error messages, without a password: the url, or with Sentinel the
   * master's name and the sentinels (the url's host is not used then).
   */
  public String where() {
    if (!sentinel.enabled()) {
      return safeUrl();
    }
    Integer db = database(url);
    return sentinel + (db == null ? "" : ", db " + db);
  }

  /** The database the url selects ({@code /2}), or null for the server's default. */
  public Integer database() {
    return database(url);
  }

  /** The user of the url, URL-decoded; null when it names none (Redis's {@code default} user). */
  public String user() {
    String info = userInfo();
    if (info == null) {
      return null;
    }
    int colon = info.indexOf(':');
    String user = colon < 0 ? info : info.substring(0, colon);
    return user.isEmpty() ? null : decode(user);
  }

  /** The password of the url, URL-decoded; null when it has none. Never to be logged. */
  public String password() {
    String info = userInfo();
    int colon = info == null ? -1 : info.indexOf(':');
    return colon < 0 ? null : decode(info.substring(colon + 1));
  }

  private String userInfo() {
    URI parsed = parse(url);
    return parsed == null ? null : parsed.getRawUserInfo();
  }

  /** Without the password: a record's own toString would print the url whole. */
  @Override
  public String toString() {
    return "RedisStoreConfig[" + where() + ", prefix '" + prefix + "', pool " + poolSize + "]";
  }

  private static Integer database(String url) {
    URI parsed = parse(url);
    String path = parsed == null || parsed.getPath() == null ? "" : parsed.getPath();
    if (path.isEmpty() || path.equals("/")) {
      return null;
    }
    try {
      return Integer.valueOf(path.substring(1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("store.redis.url must end in /<database number> if anything, got " + safeUrl(url));
    }
  }

  private static URI parse(String url) {
    try {
      return new URI(url);
    } catch (URISyntaxException e) {
      return null;
    }
  }

  private static String decode(String raw) {
    return URLDecoder.decode(raw, StandardCharsets.UTF_8);
  }

  private static String safeUrl(String url) {
    try {
      URI uri = new URI(url);
      int at = url.lastIndexOf('@');
      int scheme = url.indexOf("://");
      if (uri.getHost() == null && at > scheme && scheme >= 0) {
        // a registry-based authority (a host the URI class cannot read) keeps its user info unparsed: cut it by hand
        return url.substring(0, scheme + 3) + "***@" + url.substring(at + 1);
      }
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
