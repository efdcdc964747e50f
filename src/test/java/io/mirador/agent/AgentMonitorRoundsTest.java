package io.mirador.agent;

import static io.mirador.agent.AgentMonitorVerticle.delayToNextRound;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Collector runs fall on rounds (every interval plus the collector's splay), so an agent's collectors stay together. */
class AgentMonitorRoundsTest {

  private static final long INTERVAL = 5_000;

  @Test
  void aRunOnItsRoundIsFollowedByTheNextRound() {
    assertEquals(4_970, delayToNextRound(5_247, 5_217, INTERVAL, 217), "round 10,217, 30 ms after the run began");
    assertEquals(5_000, delayToNextRound(5_218, 5_218, INTERVAL, 218), "a run that took no time");
  }

  @Test
  void aRunOffTheRoundsIsNotFollowedByAnotherAtOnce() {
    // a plugin loaded now runs first after its splay, 10 ms before a round: the next run is the round after
    assertEquals(5_217, delayToNextRound(10_000, 9_990, INTERVAL, 217));
    assertEquals(200, delayToNextRound(10_017, 7_300, INTERVAL, 217), "half an interval after it began: the next round");
  }

  @Test
  void roundsMissedByARunThatOverranAreSkipped() {
    assertEquals(4_217, delayToNextRound(16_000, 5_217, INTERVAL, 217), "ran 10.8 s: 10,217 and 15,217 are gone");
  }

  @Test
  void collectorsStayOnTheirRoundsHoweverLateTheirTimersFire() {
    // without rounds every run was scheduled from the last one's start, so timer lateness added up, differently per
    // collector, and the collectors of one agent drifted apart over hours; with rounds the lateness does not add up
    Random random = new Random(42);
    long[] splays = {217, 256, 280, 379, 463};
    long[] starts = splays.clone();
    for (int round = 1; round <= 20_000; round++) {
      for (int c = 0; c < splays.length; c++) {
        long ended = starts[c] + random.nextInt(300); // the probe's time
        long lateness = random.nextInt(40);
        starts[c] = ended + delayToNextRound(ended, starts[c], INTERVAL, splays[c]) + lateness;
        long intoRound = starts[c] - round * INTERVAL - splays[c];
        assertTrue(intoRound >= 0 && intoRound < 40, "collector " + c + " is " + intoRound + " ms off round " + round);
      }
    }
  }

  @Test
  void longerIntervalsFallOnTheSameRoundsAsShorterOnes() {
    long splay = 300;
    for (int round = 0; round < 100; round++) {
      long start = splay + round * 15_000L; // both ran at this round, for 20 ms
      long fifteenSeconds = start + 20 + delayToNextRound(start + 20, start, 15_000, splay);
      long fiveSeconds = start + 20 + delayToNextRound(start + 20, start, 5_000, splay);
      assertEquals(0, (fifteenSeconds - splay) % 5_000, "every 15 s round is a 5 s round too");
      assertEquals(fiveSeconds + 10_000, fifteenSeconds);
    }
  }
}
