package io.mirador.agent.exec.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class OutputFormatTest {

  @ParameterizedTest
  @CsvSource({
      "nagios, NAGIOS", "graphite, GRAPHITE", "influx, INFLUX", "opentsdb, OPENTSDB", "collectd, COLLECTD",
      "prometheus, PROMETHEUS", "json, JSON", "' Prometheus ', PROMETHEUS"})
  void readsConfiguredNames(String name, OutputFormat format) {
    assertEquals(format, OutputFormat.fromName(name));
  }

  @Test
  void unknownNameListsTheKnownOnes() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> OutputFormat.fromName("statsd"));
    assertEquals("unknown output format 'statsd'; known formats: nagios, graphite, influx, opentsdb, collectd, prometheus, json",
        error.getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> OutputFormat.fromName(null)).getMessage().contains("known formats"));
  }

  @ParameterizedTest
  @EnumSource(OutputFormat.class)
  void everyFormatHasAParser(OutputFormat format) {
    OutputParser parser = Parsers.forFormat(format);
    assertNotNull(parser);
    Parsed empty = parser.parse("", 0, Fixtures.NOW, "c");
    assertEquals(0, empty.samples().size());
    assertEquals(format == OutputFormat.NAGIOS ? Integer.valueOf(0) : null, empty.status());
  }
}
