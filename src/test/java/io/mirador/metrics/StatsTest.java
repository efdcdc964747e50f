package io.mirador.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every family on /metrics has a HELP and a TYPE, and a counter's name ends in _total; PromtoolTest runs the real linter. */
class StatsTest {

  @Test
  void rendersEachStatWithHelpAndTypeSortedAndCountersWithTotal() {
    Stats stats = new Stats()
        .gauge("series", "Series held", 3)
        .counter("series_rejected", "New series refused\nwhen full, C:\\ too", 2);
    StringBuilder out = new StringBuilder();
    stats.render("mirador_store_", out);
    assertEquals("""
        # HELP mirador_store_series Series held
        # TYPE mirador_store_series gauge
        mirador_store_series 3
        # HELP mirador_store_series_rejected_total New series refused\\nwhen full, C:\\\\ too
        # TYPE mirador_store_series_rejected_total counter
        mirador_store_series_rejected_total 2
        """, out.toString());
    assertEquals(2L, stats.get("series_rejected"), "read back by the short name");
    assertNull(stats.get("nothing"));
    assertEquals(Map.of("series", 3L, "series_rejected", 2L), stats.values());
  }

  @Test
  void refusesAStatWithoutHelpOrWithABadName() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new Stats().gauge("agents", " ", 1)).getMessage().contains("help"));
    assertThrows(IllegalArgumentException.class, () -> new Stats().counter("writes_total", "Writes", 1));
    assertThrows(IllegalArgumentException.class, () -> new Stats().counter("Writes", "Writes", 1));
    assertThrows(IllegalArgumentException.class, () -> new Stats().counter("writes", "Writes", 1).gauge("writes", "Writes", 1));
  }

  @Test
  void metersRefuseWhatPromtoolWouldComplainAbout() {
    Meters meters = new Meters();
    assertThrows(IllegalArgumentException.class, () -> meters.counter("mirador_things", "Things"));
    assertThrows(IllegalArgumentException.class, () -> meters.gauge("mirador_things_total", "Things", () -> 1));
    assertThrows(IllegalArgumentException.class, () -> meters.counter("mirador_things_total", ""));
    meters.counter("mirador_things_total", "Things").increment();
    assertThrows(IllegalArgumentException.class, () -> meters.gauge("mirador_things_total", "Things", () -> 1),
        "one name, one type");
    assertTrue(meters.scrape().startsWith("# HELP mirador_things_total Things\n# TYPE mirador_things_total counter\n"));
  }
}
