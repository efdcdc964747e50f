package io.mirador.hub.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlappingTest {

  private static final double EXACT = 1e-9;

  private static List<Integer> steady(int status, int count) {
    return new ArrayList<>(Collections.nCopies(count, status));
  }

  @Test
  void noChangeIsZero() {
    assertEquals(0.0, Flapping.percentStateChange(steady(0, 21)), EXACT);
    assertEquals(0.0, Flapping.percentStateChange(List.of()), EXACT);
    assertEquals(0.0, Flapping.percentStateChange(List.of(2)), EXACT);
  }

  @Test
  void everyStatusDifferentIsOneHundred() {
    List<Integer> alternating = new ArrayList<>();
    for (int i = 0; i < 21; i++) {
      alternating.add(i % 2 == 0 ? 0 : 2);
    }
    // weights 0.8 .. 1.2 over 20 places sum to 20: 20 × 100 / 20
    assertEquals(100.0, Flapping.percentStateChange(alternating), EXACT);
  }

  @Test
  void theNewestChangeWeighsMostAndTheOldestLeast() {
    List<Integer> newest = steady(0, 20);
    newest.add(2);
    assertEquals(6.0, Flapping.percentStateChange(newest), EXACT); // 1.2 × 100 / 20

    List<Integer> oldest = steady(0, 21);
    oldest.set(0, 2);
    assertEquals(4.0, Flapping.percentStateChange(oldest), EXACT); // 0.8 × 100 / 20

    List<Integer> middle = steady(0, 21);
    middle.set(10, 1); // changes at places 10 and 11: (0.8 + 9·0.4/19) + (0.8 + 10·0.4/19) = 2.0
    assertEquals(10.0, Flapping.percentStateChange(middle), EXACT);
  }

  @Test
  void onlyTheLast21Count() {
    List<Integer> longer = steady(2, 5);
    longer.addAll(steady(0, 21));
    assertEquals(0.0, Flapping.percentStateChange(longer), EXACT);
  }

  @Test
  void aShortHistoryHasItsChangesAtTheNewestEnd() {
    // 3 statuses, 2 changes at places 19 and 20: (0.8 + 18·0.4/19) + 1.2
    assertEquals((0.8 + 18 * 0.4 / 19 + 1.2) * 5, Flapping.percentStateChange(List.of(0, 2, 0)), EXACT);
  }

  @Test
  void startsAboveHighStopsBelowLowAndKeepsItsStateBetween() {
    Flapping flapping = Flapping.defaults();
    assertFalse(flapping.flapping(false, 50.0));
    assertTrue(flapping.flapping(false, 50.1));
    assertTrue(flapping.flapping(true, 30.0));
    assertTrue(flapping.flapping(true, 25.0));
    assertFalse(flapping.flapping(true, 24.9));
    assertFalse(flapping.flapping(false, 40.0));
  }

  @Test
  void aFlappingSequenceStartsAtTheNinthChangeAndStopsWhenItCalmsDown() {
    Flapping flapping = Flapping.defaults();
    List<Integer> statuses = steady(0, 21);
    boolean state = false;
    List<Double> percents = new ArrayList<>();
    int changes = 0;
    while (!state) {
      statuses.add(statuses.get(statuses.size() - 1) == 0 ? 2 : 0);
      changes++;
      double percent = Flapping.percentStateChange(statuses);
      percents.add(percent);
      state = flapping.flapping(state, percent);
    }
    // 8 changes at places 13..20: 6.4 + 124·0.4/19 = 9.0105… → 45.05 %; 9 at places 12..20: 7.2 + 135·0.4/19 → 50.21 %
    assertEquals(9, changes);
    assertEquals((6.4 + 124 * 0.4 / 19) * 5, percents.get(7), EXACT);
    assertEquals((7.2 + 135 * 0.4 / 19) * 5, percents.get(8), EXACT);

    int calm = 0;
    while (state) {
      statuses.add(statuses.get(statuses.size() - 1));
      calm++;
      state = flapping.flapping(state, Flapping.percentStateChange(statuses));
    }
    // the changes slide to the light end and out of the window; with 6 left (14 calm runs) at places 1..6:
    // 4.8 + 15·0.4/19 → 25.58 %, still flapping; with 5 left at places 1..5: 4.0 + 10·0.4/19 → 21.05 %, stops
    assertEquals(15, calm);
    assertEquals((4.0 + 10 * 0.4 / 19) * 5, Flapping.percentStateChange(statuses), EXACT);
  }

  @Test
  void badThresholdsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Flapping(50, 25));
    assertThrows(IllegalArgumentException.class, () -> new Flapping(-1, 25));
    assertThrows(IllegalArgumentException.class, () -> new Flapping(10, 101));
  }
}
