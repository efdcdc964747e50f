package io.mirador.agent.exec.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.model.MetricsBatch;
import io.mirador.model.Sample;
import java.util.List;
import java.util.Map;

/** Shared values and checks of the parser tests. */
final class Fixtures {

  static final long NOW = 1_700_000_000_000L;

  private Fixtures() {
  }

  static Sample at(String name, double value) {
    return Sample.of(name, value, NOW);
  }

  static Sample at(String name, Map<String, String> tags, double value) {
    return Sample.of(name, tags, value, NOW);
  }

  static Sample at(String name, Map<String, String> tags, double value, long ts) {
    return Sample.of(name, tags, value, ts);
  }

  /** Every sample passes the model's own validation, as the hub will apply it. */
  static Parsed valid(Parsed parsed) {
    if (!parsed.samples().isEmpty()) {
      new MetricsBatch(parsed.samples()).validate();
    }
    return parsed;
  }

  static List<Integer> errorLines(Parsed parsed) {
    return parsed.errors().stream().map(LineError::line).toList();
  }

  static void assertNoErrors(Parsed parsed) {
    assertEquals(List.of(), parsed.errors(), "errors");
  }

  static void assertErrorMentions(Parsed parsed, int line, String fragment) {
    assertTrue(parsed.errors().stream().anyMatch(e -> e.line() == line && e.reason().contains(fragment)),
        "expected an error on line " + line + " mentioning '" + fragment + "' in " + parsed.errors());
  }
}
