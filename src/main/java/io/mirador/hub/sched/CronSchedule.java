package io.mirador.hub.sched;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;

/**
 * A five-field cron expression (minute, hour, day of month, month, day of week) in a time zone. Each field takes
 * {@code *}, a number, a range {@code a-b}, a step {@code * /n} or {@code a-b/n}, and lists of those; day of week is 0-7
 * (0 and 7 are Sunday). As in Vixie cron, when both day fields are restricted a day matching either runs.
 */
public final class CronSchedule {

  private final String expression;
  private final ZoneId zone;
  private final BitSet minutes;
  private final BitSet hours;
  private final BitSet days;
  private final BitSet months;
  private final BitSet weekdays;
  private final boolean daysRestricted;
  private final boolean weekdaysRestricted;

  private CronSchedule(String expression, ZoneId zone, String[] fields) {
    this.expression = expression;
    this.zone = zone;
    minutes = field(fields[0], "minute", 0, 59);
    hours = field(fields[1], "hour", 0, 23);
    days = field(fields[2], "day of month", 1, 31);
    months = field(fields[3], "month", 1, 12);
    weekdays = field(fields[4], "day of week", 0, 7);
    if (weekdays.get(7)) {
      weekdays.set(0);
    }
    daysRestricted = !fields[2].equals("*");
    weekdaysRestricted = !fields[4].equals("*");
  }

  /** Parses {@code expression} in {@code zone} (an IANA name; UTC when null); the reason of a refusal says which field. */
  public static CronSchedule parse(String expression, String zone) {
    if (expression == null || expression.isBlank()) {
      throw new IllegalArgumentException("schedule must be a cron expression of 5 fields, e.g. */5 * * * *");
    }
    String[] fields = expression.trim().split("\\s+");
    if (fields.length != 5) {
      throw new IllegalArgumentException("schedule '" + expression + "' must have 5 fields (minute hour day month weekday), has " + fields.length);
    }
    ZoneId zoneId;
    try {
      zoneId = zone == null || zone.isBlank() ? ZoneId.of("UTC") : ZoneId.of(zone);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("unknown time zone '" + zone + "'");
    }
    return new CronSchedule(expression.trim(), zoneId, fields);
  }

  public String expression() {
    return expression;
  }

  public ZoneId zone() {
    return zone;
  }

  /** The first minute strictly after {@code after} that matches; searched up to five years ahead (Feb 29 on a Monday...). */
  public Instant next(Instant after) {
    ZonedDateTime t = after.atZone(zone).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
    ZonedDateTime limit = t.plusYears(5);
    while (t.isBefore(limit)) {
      if (!months.get(t.getMonthValue())) {
        t = t.withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).plusMonths(1);
        continue;
      }
      if (!dayMatches(t)) {
        t = t.truncatedTo(ChronoUnit.DAYS).plusDays(1);
        continue;
      }
      if (!hours.get(t.getHour())) {
        t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
        continue;
      }
      if (!minutes.get(t.getMinute())) {
        t = t.plusMinutes(1);
        continue;
      }
      return t.toInstant();
    }
    throw new IllegalArgumentException("schedule '" + expression + "' never fires");
  }

  /** The last minute at or before {@code at} that matches, searched back over {@code withinMs}; null when none. */
  public Instant latest(Instant at, long withinMs) {
    Instant from = at.minusMillis(withinMs);
    Instant found = null;
    Instant t = next(from.minusSeconds(60));
    while (!t.isAfter(at)) {
      found = t;
      t = next(t);
    }
    return found;
  }

  private boolean dayMatches(ZonedDateTime t) {
    boolean day = days.get(t.getDayOfMonth());
    boolean weekday = weekdays.get(t.getDayOfWeek().getValue() % 7);
    if (daysRestricted && weekdaysRestricted) {
      return day || weekday;
    }
    return day && weekday;
  }

  private static BitSet field(String text, String name, int min, int max) {
    BitSet set = new BitSet(max + 1);
    for (String part : text.split(",", -1)) {
      String range = part;
      int step = 1;
      int slash = part.indexOf('/');
      if (slash >= 0) {
        range = part.substring(0, slash);
        step = number(part.substring(slash + 1), name, 1, max);
      }
      int from;
      int to;
      if (range.equals("*")) {
        from = min;
        to = max;
      } else if (range.contains("-")) {
        String[] ends = range.split("-", -1);
        if (ends.length != 2) {
          throw new IllegalArgumentException(name + " field '" + text + "': bad range '" + range + "'");
        }
        from = number(ends[0], name, min, max);
        to = number(ends[1], name, min, max);
        if (from > to) {
          throw new IllegalArgumentException(name + " field '" + text + "': range " + range + " runs backwards");
        }
      } else {
        from = number(range, name, min, max);
        to = slash >= 0 ? max : from;
      }
      for (int v = from; v <= to; v += step) {
        set.set(v);
      }
    }
    return set;
  }

  private static int number(String text, String name, int min, int max) {
    try {
      int value = Integer.parseInt(text);
      if (value < min || value > max) {
        throw new IllegalArgumentException(name + " must be " + min + "-" + max + ", got " + value);
      }
      return value;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": '" + text + "' is not a number");
    }
  }

  @Override
  public String toString() {
    return expression + " (" + zone + ")";
  }
}
