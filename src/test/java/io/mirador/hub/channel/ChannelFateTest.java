package io.mirador.hub.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mirador.hub.channel.ChannelVerticle.Fate;
import io.mirador.hub.engine.EngineVerticle;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.junit.jupiter.api.Test;

/** What the channel does with an event the engine did not store, by the engine's failure code and the attempt. */
class ChannelFateTest {

  private static ReplyException engine(int code) {
    return new ReplyException(ReplyFailure.RECIPIENT_FAILURE, code, "from the engine");
  }

  @Test
  void aStoreThatIsAwayIsWaitedForHoweverOftenTheEventCameBack() {
    for (long attempt : new long[] {1, 5, 6, 1_000, Long.MAX_VALUE}) {
      assertEquals(Fate.WAIT, ChannelVerticle.fate(engine(EngineVerticle.UNAVAILABLE), attempt, 5));
      assertEquals(Fate.WAIT, ChannelVerticle.fate(new ReplyException(ReplyFailure.TIMEOUT, "no reply in 10 s"), attempt, 5));
      assertEquals(Fate.WAIT, ChannelVerticle.fate(new ReplyException(ReplyFailure.NO_HANDLERS, "no engine yet"), attempt, 5));
    }
  }

  @Test
  void anEventTheStoreRefusesForWhatItHoldsIsDeadLetteredAtOnce() {
    assertEquals(Fate.DEAD_LETTER, ChannelVerticle.fate(engine(EngineVerticle.REFUSED), 1, 5));
    assertEquals(Fate.DEAD_LETTER, ChannelVerticle.fate(engine(400), 1, 5));
  }

  @Test
  void anyOtherFailureIsTriedMaxAttemptsTimes() {
    for (int code : new int[] {EngineVerticle.FAILED, 502, -1}) {
      assertEquals(Fate.RETRY, ChannelVerticle.fate(engine(code), 1, 3));
      assertEquals(Fate.RETRY, ChannelVerticle.fate(engine(code), 2, 3));
      assertEquals(Fate.DEAD_LETTER, ChannelVerticle.fate(engine(code), 3, 3));
      assertEquals(Fate.DEAD_LETTER, ChannelVerticle.fate(engine(code), 40, 3), "counted by the broker across outages too");
    }
    assertEquals(Fate.DEAD_LETTER, ChannelVerticle.fate(engine(EngineVerticle.FAILED), 1, 1));
  }
}
