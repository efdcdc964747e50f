package io.mirador.hub.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TimeParamsTest {

  private static final long NOW = 1_800_000_000_000L;

  @Test
  void instantsAreEpochMillisNowOrDurationsBack() {
    assertEquals(42L, TimeParams.instant("from", null, 42, NOW));
    assertEquals(1_700_000_000_000L, TimeParams.instant("from", "1700000000000", 0, NOW));
    assertEquals(NOW, TimeParams.instant("to", "now", 0, NOW));
    assertEquals(NOW - 15 * 60_000, TimeParams.instant("from", "-15m", 0, NOW));
    assertEquals(NOW - 2 * 3_600_000, TimeParams.instant("from", "-2h", 0, NOW));
    assertEquals(NOW - 500, TimeParams.instant("from", "-500ms", 0, NOW));
  }

  @Test
  void durationsAreMillisOrUnits() {
    assertEquals(0L, TimeParams.duration("step", "", 0));
    assertEquals(10_000L, TimeParams.duration("step", "10s", 0));
    assertEquals(60_000L, TimeParams.duration("step", "1m", 0));
    assertEquals(86_400_000L, TimeParams.duration("step", "1d", 0));
    assertEquals(250L, TimeParams.duration("step", "250", 0));
  }

  @Test
  void nonsenseIsABadRequestNamingTheParameter() {
    ApiError forward = assertThrows(ApiError.class, () -> TimeParams.instant("from", "15m", 0, NOW));
    assertEquals(400, forward.status);
    assertEquals(true, forward.getMessage().startsWith("from "));
    assertThrows(ApiError.class, () -> TimeParams.instant("to", "tomorrow", 0, NOW));
    assertThrows(ApiError.class, () -> TimeParams.instant("to", "-1", 0, NOW));
    assertThrows(ApiError.class, () -> TimeParams.duration("step", "-10s", 0));
    assertThrows(ApiError.class, () -> TimeParams.duration("step", "10 parsecs", 0));
  }
}
