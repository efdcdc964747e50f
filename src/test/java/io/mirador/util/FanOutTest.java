package io.mirador.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FanOutTest {

  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    Await.result(vertx.close());
  }

  @Test
  void keepsTheOrderAndNeverExceedsItsConcurrency() {
    List<Integer> items = IntStream.range(0, 2_000).boxed().toList();
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    Random random = new Random(7);
    List<Integer> squares = Await.result(FanOut.map(items, 16, item -> {
      most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      Promise<Integer> answer = Promise.promise();
      // answers come back out of order, on timers
      vertx.setTimer(1 + random.nextInt(3), id -> {
        inFlight.decrementAndGet();
        answer.complete(item * item);
      });
      return answer.future();
    }));
    assertEquals(items.stream().map(i -> i * i).toList(), squares);
    assertTrue(most.get() <= 16, "at most 16 calls at once, saw " + most.get());
    assertEquals(16, most.get(), "and it does use them");
  }

  @Test
  void callsThatAnswerAtOnceDoNotDeepenTheStack() {
    List<Integer> items = IntStream.range(0, 200_000).boxed().toList();
    assertEquals(items, Await.result(FanOut.map(items, 4, Future::succeededFuture)));
  }

  @Test
  void stopsStartingCallsAfterAFailure() {
    AtomicInteger calls = new AtomicInteger();
    Future<List<Integer>> mapped = FanOut.map(IntStream.range(0, 100).boxed().toList(), 4, item -> {
      calls.incrementAndGet();
      return item == 10 ? Future.failedFuture(new IllegalStateException("item 10 fails")) : Future.succeededFuture(item);
    });
    Await.result(mapped.otherwiseEmpty());
    assertEquals("item 10 fails", mapped.cause().getMessage());
    assertEquals(11, calls.get(), "no call after the failing one");
  }

  @Test
  void aCallThatThrowsFailsTheMapAndBadArgumentsAreRefused() {
    Future<List<Integer>> mapped = FanOut.map(List.of(1, 2, 3), 2, item -> {
      throw new IllegalArgumentException("bad item " + item);
    });
    Await.result(mapped.otherwiseEmpty());
    assertEquals("bad item 1", mapped.cause().getMessage());
    assertEquals(List.of(), Await.result(FanOut.map(List.<Integer>of(), 2, Future::succeededFuture)));
    assertThrows(IllegalArgumentException.class, () -> FanOut.map(List.of(1), 0, Future::succeededFuture));
  }
}
