package io.mirador.hub.heartbeat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mirador.store.AgentStatus;
import org.junit.jupiter.api.Test;

class LivenessTest {

  private final HeartbeatVerticle.Liveness rule = new HeartbeatVerticle.Liveness(2, 5, 10);

  @Test
  void thresholdsAreMultiplesOfTheAgentsOwnInterval() {
    long seen = 1_000_000;
    assertEquals(AgentStatus.UP, rule.status(seen, 3, seen + 5_999));
    assertEquals(AgentStatus.STALE, rule.status(seen, 3, seen + 6_000));
    assertEquals(AgentStatus.STALE, rule.status(seen, 3, seen + 14_999));
    assertEquals(AgentStatus.DOWN, rule.status(seen, 3, seen + 15_000));
  }

  @Test
  void anAgentWithoutIntervalIsJudgedOnTheDefault() {
    long seen = 1_000_000;
    assertEquals(AgentStatus.UP, rule.status(seen, 0, seen + 19_999));
    assertEquals(AgentStatus.STALE, rule.status(seen, 0, seen + 20_000));
    assertEquals(AgentStatus.DOWN, rule.status(seen, 0, seen + 50_000));
  }
}
