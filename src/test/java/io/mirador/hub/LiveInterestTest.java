package io.mirador.hub;

import static org.junit.jupiter.api.Assertions.assertFalse;

import io.mirador.Addresses;
import io.mirador.testing.Await;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What engines learn from web verticles' announcements: registrations, unregistrations, closes, and silence. */
class LiveInterestTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  @Test
  void followsRegistrationsPerSocketAcrossWebVerticles() throws InterruptedException {
    LiveInterest interest = onContext(() -> new LiveInterest(vertx));
    LiveInterest.Watchers web1 = onContext(() -> new LiveInterest.Watchers(vertx));
    LiveInterest.Watchers web2 = onContext(() -> new LiveInterest.Watchers(vertx));
    String a = Addresses.liveMetrics("a");
    String b = Addresses.liveMetrics("b");
    Object socket1 = new Object();
    Object socket2 = new Object();

    run(() -> web1.registered(socket1, a));
    run(() -> web2.registered(socket2, a));
    run(() -> web2.registered(socket2, b));
    awaitWatched(interest, a, true);
    awaitWatched(interest, b, true);

    run(() -> web2.unregistered(socket2, b));
    awaitWatched(interest, b, false);
    run(() -> web1.closed(socket1));
    run(() -> web2.closed(socket2));
    awaitWatched(interest, a, false);
    assertFalse(interest.watched(Addresses.liveMetrics("c")));
  }

  @Test
  void anEngineThatStartsLaterAsksAndLearns() throws InterruptedException {
    LiveInterest.Watchers web = onContext(() -> new LiveInterest.Watchers(vertx));
    String a = Addresses.liveMetrics("a");
    run(() -> web.registered(new Object(), a));
    LiveInterest late = onContext(() -> new LiveInterest(vertx));
    // the query brings the answer: the web verticle's own refresh comes only every 5 s
    Await.condition(Duration.ofSeconds(2), Duration.ofMillis(10), () -> onContext(() -> late.watched(a)), () -> "learnt at start");
  }

  @Test
  void aWebVerticleThatFallsSilentStopsCounting() throws InterruptedException {
    AtomicLong now = new AtomicLong(1_000_000);
    LiveInterest interest = onContext(() -> new LiveInterest(vertx, now::get, 20));
    String a = Addresses.liveMetrics("a");
    // one announcement, as a web node makes, and then nothing more: the node died
    vertx.eventBus().publish(Addresses.LIVE_INTEREST, new JsonObject().put("node", "web-gone").put("addresses", new JsonArray().add(a)));
    awaitWatched(interest, a, true);

    now.addAndGet(LiveInterest.EXPIRY_MS + 1);
    awaitWatched(interest, a, false);
  }

  private void awaitWatched(LiveInterest interest, String address, boolean watched) throws InterruptedException {
    Await.condition(Duration.ofSeconds(5), Duration.ofMillis(10), () -> onContext(() -> interest.watched(address)) == watched,
        () -> address + (watched ? " watched" : " no longer watched"));
  }

  private void run(Runnable action) {
    onContext(() -> {
      action.run();
      return null;
    });
  }

  /** Everything here belongs to one event loop, as in a verticle. */
  private <T> T onContext(Callable<T> action) {
    Promise<T> done = Promise.promise();
    context.runOnContext(ignored -> {
      try {
        done.complete(action.call());
      } catch (Exception e) {
        done.fail(e);
      }
    });
    return Await.result(done.future());
  }

  private final Context context = vertx.getOrCreateContext();
}
