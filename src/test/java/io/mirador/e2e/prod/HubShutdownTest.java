package io.mirador.e2e.prod;

import io.mirador.Mirador;
import io.mirador.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hub on Redis and RabbitMQ stops cleanly: {@link Mirador#close()} completes. (It once never did: the close was
 * told on a future bound to an event loop that the close itself had shut down, so a SIGTERM'd hub waited out the whole
 * bound of its shutdown hook and in-process callers waited forever.)
 */
class HubShutdownTest {

  @TempDir
  Path dir;

  @Test
  void aHubOnRedisClosesAndSaysSo() throws Exception {
    try (ProdSetup setup = new ProdSetup(dir, "hub-shutdown", null)) {
      Mirador hub = setup.hubInProcess();
      Await.result(hub.close(), Duration.ofSeconds(30));
    }
  }
}
