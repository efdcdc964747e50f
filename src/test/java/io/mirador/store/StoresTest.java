package io.mirador.store;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mirador.store.memory.MemoryStore;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class StoresTest {

  @Test
  void everyVerticleOfOneVertxGetsTheSameStore() throws Exception {
    Vertx one = Vertx.vertx();
    Vertx other = Vertx.vertx();
    try {
      Stores store = Stores.shared(one, new JsonObject());
      assertInstanceOf(MemoryStore.class, store.backend());
      assertSame(store, Stores.shared(one, new JsonObject().put("store", new JsonObject().put("type", "memory"))));
      assertNotSame(store, Stores.shared(other, new JsonObject()));
    } finally {
      one.close().toCompletionStage().toCompletableFuture().get();
      other.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  @Test
  void anUnknownTypeOrBadLimitIsRefused() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      assertThrows(IllegalArgumentException.class,
          () -> Stores.shared(vertx, new JsonObject().put("store", new JsonObject().put("type", "cassandra"))));
      assertThrows(IllegalArgumentException.class, () -> Stores.shared(vertx,
          new JsonObject().put("store", new JsonObject().put("memory", new JsonObject().put("maxSeries", 0)))));
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }
}
