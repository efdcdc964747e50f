package io.mirador.store.redis;

import static io.mirador.store.redis.RedisTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.hub.cluster.HubNode;
import io.mirador.hub.cluster.Lease;
import io.mirador.testing.RedisServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leases and node beats of a hub go over the store's client ({@link RedisStore#client()}), with its timeouts and
 * reconnect pause. On a Redis that has never run their scripts (a new one, or one restarted or flushed), the first
 * EVALSHA of each gets NOSCRIPT and must be repeated with the source, though the store's client wraps the reply.
 */
class RedisStoreClientTest {

  @TempDir
  Path dir;

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    await(vertx.close());
  }

  @Test
  void leasesAndNodeBeatsRunTheirScriptsOnARedisThatNeverSawThem() throws Exception {
    try (RedisServer fresh = RedisServer.startWith(dir, null, false, List.of())) {
      RedisStore store = new RedisStore(vertx, new JsonObject().put("url", fresh.url()).put("prefix", "fresh:"));
      try {
        RedisLeases leases = new RedisLeases(store.client(), store.prefix());
        Optional<Lease> lease = await(leases.acquire("heartbeat", "node-a/heartbeat/1", 3_000));
        assertTrue(lease.isPresent(), "the lease is taken");
        assertEquals(List.of("heartbeat"), await(leases.all()).stream().map(Lease::name).toList());

        RedisNodes nodes = new RedisNodes(store.client(), store.prefix());
        await(nodes.beat(new HubNode("node-a", "127.0.0.1", 8080, List.of("heartbeat"), 1, 1)));
        assertEquals(List.of("node-a"), await(nodes.nodes()).nodes().stream().map(HubNode::id).toList());
      } finally {
        await(store.close());
      }
    }
  }
}
