package io.mirador.hub.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mirador.model.CheckResult;
import io.mirador.model.Sample;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CheckSeriesTest {

  @Test
  void everyPerfdataSampleIsTaggedWithItsCheck() {
    CheckResult result = new CheckResult("spool", 1, "SPOOL WARNING", List.of(
        Sample.of("check.spool.files", 3, 1_000), Sample.of("app.requests", Map.of("route", "/x"), 42, 2_000)), 9, 1_000);
    assertEquals(List.of(Sample.of("check.spool.files", Map.of("check", "spool"), 3, 1_000),
        Sample.of("app.requests", Map.of("route", "/x", "check", "spool"), 42, 2_000)), CheckSeries.of(result));
  }

  @Test
  void aScriptsOwnCheckTagIsReplacedAndNoSampleGoesBeyondSixteenTags() {
    Map<String, String> sixteen = new HashMap<>();
    for (int i = 0; i < 16; i++) {
      sixteen.put("t" + i, "v");
    }
    CheckResult result = new CheckResult("x", 0, "", List.of(
        Sample.of("a", Map.of("check", "other"), 1, 1_000), Sample.of("b", sixteen, 2, 1_000)), 1, 1_000);
    List<Sample> series = CheckSeries.of(result);
    assertEquals(Map.of("check", "x"), series.get(0).tags());
    assertEquals(sixteen, series.get(1).tags());
    assertEquals(List.of(), CheckSeries.of(new CheckResult("x", 0, "", List.of(), 1, 1_000)));
  }
}
