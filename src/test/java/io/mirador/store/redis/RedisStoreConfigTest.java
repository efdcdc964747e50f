package io.mirador.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        8, 4096, 2000, 5000, 100, 5000, new TlsSettings("store.redis.tls", "", "", "", "", true)), config);
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
}
