package io.mirador.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.config.ConfigLoader;
import io.mirador.config.TlsSettings;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RedisStoreConfigTest {

  @Test
  void everyKeyHasADefault() {
    RedisStoreConfig config = RedisStoreConfig.from(null);
    assertEquals(new RedisStoreConfig("redis://127.0.0.1:6379", "mirador:", 3_600_000, 600_000, 10_000, 16 * 1024 * 1024, 10_000,
        8, 4096, 2000, 5000, 100, 5000, new TlsSettings("store.redis.tls", "", "", "", "", true), RedisStoreConfig.Sentinel.OFF), config);
    assertEquals(config, RedisStoreConfig.from(new JsonObject()));
  }

  @Test
  void theDocumentedDefaultsAreTheDefaults() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject config = ConfigLoader.load(vertx, null, Map.of(), new JsonObject())
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertEquals(RedisStoreConfig.from(null), RedisStoreConfig.from(config.getJsonObject("store").getJsonObject("redis")),
          "conf/mirador.yaml and RedisStoreConfig say the same");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void keysAreRead() {
    RedisStoreConfig config = RedisStoreConfig.from(new JsonObject().put("url", "redis://db:6380/2").put("prefix", "m2:")
        .put("retentionSeconds", 60).put("bucketSeconds", 10).put("maxSeriesPerAgent", 3).put("poolSize", 2));
    assertEquals("redis://db:6380/2", config.url());
    assertEquals("m2:", config.prefix());
    assertEquals(60_000, config.retentionMs());
    assertEquals(10_000, config.bucketMs());
    assertEquals(3, config.maxSeriesPerAgent());
    assertEquals(2, config.poolSize());
  }

  @Test
  void badValuesAreRefusedNamingTheKey() {
    for (String key : List.of("retentionSeconds", "bucketSeconds", "maxSeriesPerAgent", "maxBucketBytes", "maxGapRanges",
        "poolSize", "connectTimeoutMs", "commandTimeoutMs")) {
      for (Object bad : List.of(0, -5, "ten", 1.5)) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> RedisStoreConfig.from(new JsonObject().put(key, bad)), key + " = " + bad);
        assertTrue(e.getMessage().contains("store.redis." + key), e.getMessage());
      }
    }
    assertThrows(IllegalArgumentException.class, () -> RedisStoreConfig.from(new JsonObject().put("prefix", 5)));
    assertThrows(IllegalArgumentException.class,
        () -> RedisStoreConfig.from(new JsonObject().put("reconnectMinMs", 500).put("reconnectMaxMs", 100)));
  }

  @Test
  void theSafeUrlHidesThePassword() {
    RedisStoreConfig config = RedisStoreConfig.from(new JsonObject().put("url", "redis://user:s3cret@db.example:6379/1"));
    assertEquals("redis://***@db.example:6379/1", config.safeUrl());
    assertEquals("redis://127.0.0.1:6379", RedisStoreConfig.from(null).safeUrl());
  }

  @Test
  void itsTextNeverShowsThePassword() {
    RedisStoreConfig config = RedisStoreConfig.from(new io.vertx.core.json.JsonObject().put("url", "redis://:s3cret-pw@127.0.0.1:6379/2"));
    org.junit.jupiter.api.Assertions.assertFalse(config.toString().contains("s3cret-pw"), config.toString());
    org.junit.jupiter.api.Assertions.assertTrue(config.toString().contains("127.0.0.1:6379"), config.toString());
  }

  @Test
  void sentinelIsOffByDefaultAndReadWhenNamed() {
    assertFalse(RedisStoreConfig.from(null).sentinel().enabled());
    RedisStoreConfig config = RedisStoreConfig.from(new JsonObject().put("url", "redis://mirador:s3cret%40x@mymaster/2")
        .put("sentinel", sentinel("mymaster", "redis://10.0.0.1:26379", " redis://sentinel-2.example:26380/ ")));
    assertTrue(config.sentinel().enabled());
    assertEquals(List.of("redis://10.0.0.1:26379", "redis://sentinel-2.example:26380"), config.sentinel().endpoints());
    assertEquals("mirador", config.user());
    assertEquals("s3cret@x", config.password());
    assertEquals(2, config.database());
    assertEquals("master 'mymaster' via sentinels redis://10.0.0.1:26379,redis://sentinel-2.example:26380, db 2", config.where());
    assertFalse(config.toString().contains("s3cret"), config.toString());

    RedisStoreConfig noUser = RedisStoreConfig.from(new JsonObject().put("url", "redis://:pw@m")
        .put("sentinel", sentinel("m", "redis://h:26379")));
    assertEquals(null, noUser.user());
    assertEquals("pw", noUser.password());
    assertEquals(null, noUser.database());
  }

  @Test
  void badSentinelSettingsAreRefusedNamingTheKey() {
    Map<String, JsonObject> bad = new java.util.LinkedHashMap<>();
    bad.put("store.redis.sentinel must be an object", new JsonObject().put("sentinel", "mymaster"));
    bad.put("store.redis.sentinel.masterName must be a name without spaces", new JsonObject().put("sentinel", sentinel("my master", "redis://h:26379")));
    bad.put("store.redis.sentinel.masterName must be a name", new JsonObject().put("sentinel", new JsonObject().put("masterName", 5)));
    bad.put("store.redis.sentinel.endpoints must be a list", new JsonObject().put("sentinel",
        new JsonObject().put("masterName", "m").put("endpoints", "redis://h:26379")));
    bad.put("store.redis.sentinel.endpoints is empty", new JsonObject().put("sentinel", sentinel("m")));
    bad.put("store.redis.sentinel.endpoints are set but store.redis.sentinel.masterName is empty",
        new JsonObject().put("sentinel", sentinel("", "redis://h:26379")));
    bad.put("store.redis.sentinel.endpoints[1] must start with redis:// or rediss://", new JsonObject().put("sentinel",
        sentinel("m", "redis://h:26379", "http://h:26379")));
    bad.put("store.redis.sentinel.endpoints[0] has no port", new JsonObject().put("sentinel", sentinel("m", "redis://h")));
    bad.put("store.redis.sentinel.endpoints[0] names a database", new JsonObject().put("sentinel", sentinel("m", "redis://h:26379/2")));
    bad.put("store.redis.sentinel.endpoints[0] carries a user or password", new JsonObject().put("sentinel", sentinel("m", "redis://:s3cret@h:26379")));
    bad.put("store.redis.sentinel.endpoints[0] must be a redis://host:port", new JsonObject().put("sentinel",
        new JsonObject().put("masterName", "m").put("endpoints", new io.vertx.core.json.JsonArray().add(26379))));
    bad.put("store.redis.sentinel.endpoints[0] is rediss:// but store.redis.url is redis://", new JsonObject()
        .put("sentinel", sentinel("m", "rediss://h:26379")));
    bad.put("store.redis.sentinel.endpoints[0] is redis:// but store.redis.url is rediss://", new JsonObject().put("url", "rediss://:s3cret@m")
        .put("sentinel", sentinel("m", "redis://h:26379")));
    bad.put("store.redis.url must end in /<database number>", new JsonObject().put("url", "redis://:s3cret@m/two")
        .put("sentinel", sentinel("m", "redis://h:26379")));
    bad.put("store.redis.maxPoolWaiting (4) must be at least store.redis.poolSize (8)", new JsonObject().put("maxPoolWaiting", 4)
        .put("sentinel", sentinel("m", "redis://h:26379")));
    bad.forEach((message, section) -> {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RedisStoreConfig.from(section), message);
      assertTrue(e.getMessage().startsWith(message), e.getMessage());
      assertFalse(e.getMessage().contains("s3cret"), "no password in " + e.getMessage());
    });
  }

  private static JsonObject sentinel(String masterName, String... endpoints) {
    return new JsonObject().put("masterName", masterName).put("endpoints", new io.vertx.core.json.JsonArray(List.of((Object[]) endpoints)));
  }
}
