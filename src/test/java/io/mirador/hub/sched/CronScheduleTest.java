package io.mirador.hub.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class CronScheduleTest {

  private static Instant at(String iso) {
    return Instant.parse(iso);
  }

  @Test
  void stepsRangesAndListsFireOnTheirMinutes() {
    CronSchedule every5 = CronSchedule.parse("*/5 * * * *", null);
    assertEquals(at("2026-01-01T10:05:00Z"), every5.next(at("2026-01-01T10:00:00Z")));
    assertEquals(at("2026-01-01T10:05:00Z"), every5.next(at("2026-01-01T10:04:59Z")));
    CronSchedule workHours = CronSchedule.parse("0,30 9-17 * * 1-5", "UTC");
    assertEquals(at("2026-01-05T09:00:00Z"), workHours.next(at("2026-01-02T17:30:00Z")), "Friday 17:30 → Monday 09:00");
  }

  @Test
  void theTimeZoneIsHonouredAcrossDaylightSaving() {
    CronSchedule twoThirty = CronSchedule.parse("30 2 * * *", "Europe/Paris");
    // 29 March 2026: 02:00 → 03:00 in Paris, 02:30 does not exist that day; the next is on the 30th, 00:30 UTC
    assertEquals(at("2026-03-30T00:30:00Z"), twoThirty.next(at("2026-03-28T02:00:00Z")));
    assertEquals(at("2026-01-10T01:30:00Z"), twoThirty.next(at("2026-01-10T00:00:00Z")));
  }

  @Test
  void dayOfMonthOrDayOfWeekWhenBothAreRestricted() {
    CronSchedule cron = CronSchedule.parse("0 0 13 * 5", null); // the 13th, or any Friday
    assertEquals(at("2026-02-06T00:00:00Z"), cron.next(at("2026-02-01T00:00:00Z")), "Friday the 6th");
    assertEquals(at("2026-02-13T00:00:00Z"), cron.next(at("2026-02-06T00:00:00Z")));
    assertEquals(at("2026-01-04T00:00:00Z"), CronSchedule.parse("0 0 * * 7", null).next(at("2026-01-01T00:00:00Z")), "7 is Sunday");
  }

  @Test
  void theLatestTickAtOrBeforeAnInstant() {
    CronSchedule every5 = CronSchedule.parse("*/5 * * * *", null);
    assertEquals(at("2026-01-01T10:10:00Z"), every5.latest(at("2026-01-01T10:12:30Z"), 3_600_000));
    assertEquals(at("2026-01-01T10:10:00Z"), every5.latest(at("2026-01-01T10:10:00Z"), 3_600_000));
    assertNull(every5.latest(at("2026-01-01T10:12:30Z"), 60_000), "none in the last minute");
  }

  @Test
  void badExpressionsSayWhatIsWrong() {
    for (String[] bad : new String[][] {{"* * * *", "5 fields"}, {"60 * * * *", "minute must be 0-59"}, {"* * * * mon", "not a number"},
        {"5-1 * * * *", "backwards"}, {"*/0 * * * *", "must be 1-"}}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse(bad[0], null));
      assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
    }
    assertTrue(assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("* * * * *", "Mars/Olympus")).getMessage()
        .contains("time zone"));
  }
}
