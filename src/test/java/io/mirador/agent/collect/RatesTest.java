package io.mirador.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.model.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class RatesTest {

  @Test
  void rateIsTheIncreaseOverTheElapsedSeconds() {
    assertEquals(OptionalDouble.of(1000.0), Rates.perSecond(1_000, 3_000, 2_000));
    assertEquals(OptionalDouble.of(250.0), Rates.perSecond(0, 1, 4));
  }

  @Test
  void unchangedCounterIsARateOfZero() {
    assertEquals(OptionalDouble.of(0.0), Rates.perSecond(42, 42, 5_000));
  }

  @Test
  void counterThatWentBackwardsHasNoRate() {
    assertTrue(Rates.perSecond(5_000, 10, 5_000).isEmpty());
  }

  @Test
  void noElapsedTimeHasNoRate() {
    assertTrue(Rates.perSecond(1, 2, 0).isEmpty());
    assertTrue(Rates.perSecond(1, 2, -5).isEmpty());
  }

  @Test
  void addPerSecondAppendsOnlyWhenThereIsARate() {
    List<Sample> out = new ArrayList<>();
    Rates.addPerSecond(out, "x.rate", Map.of("k", "v"), 10, 20, 1_000, 7L);
    Rates.addPerSecond(out, "x.rate", Map.of("k", "w"), 20, 10, 1_000, 7L);
    assertEquals(List.of(Sample.of("x.rate", Map.of("k", "v"), 10.0, 7L)), out);
  }
}
