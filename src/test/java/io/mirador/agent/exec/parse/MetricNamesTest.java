package io.mirador.agent.exec.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MetricNamesTest {

  @ParameterizedTest(name = "''{0}'' -> ''{1}''")
  @CsvSource(delimiter = '|', value = {
      "cpu.usage                  | cpu.usage",
      "node_cpu_seconds_total     | node_cpu_seconds_total",
      "Servers.Web-01.CPU         | servers.web_01.cpu",
      "Disk Usage (%)             | disk_usage",
      "job:http_requests:rate5m   | job_http_requests_rate5m",
      ":leading:colon             | leading_colon",
      "/var/log                   | var.log",
      "/var/log/                  | var.log",
      "a..b...c                   | a.b.c",
      ".a.                        | a",
      "a _b                       | a_b",
      "a__b                       | a__b",
      "_private                   | _private",
      "1st.2nd                    | 1st.2nd",
      "Température                | temp_rature",
      "%                          | ''",
      "/                          | ''",
      "''                         | ''",
  })
  void name(String foreign, String expected) {
    assertEquals(expected, MetricNames.name(foreign));
  }

  @Test
  void nullAndLongNames() {
    assertEquals("", MetricNames.name(null));
    assertEquals("a".repeat(200), MetricNames.name("a".repeat(500)));
    assertEquals("a".repeat(199), MetricNames.name("a".repeat(199) + ".b"));
    assertEquals("x".repeat(200), MetricNames.name(" ".repeat(100_000) + "x".repeat(300)));
  }

  @ParameterizedTest(name = "''{0}'' -> ''{1}''")
  @CsvSource(delimiter = '|', value = {
      "a.b/c  | a_b_c",
      "Eth0   | eth0",
      "-      | ''",
  })
  void segment(String foreign, String expected) {
    assertEquals(expected, MetricNames.segment(foreign));
  }

  @ParameterizedTest(name = "''{0}'' -> ''{1}''")
  @CsvSource(delimiter = '|', value = {
      "host         | host",
      "Host.Name-1  | Host.Name-1",
      "type instance| type_instance",
      "1st          | _1st",
      "-x           | _-x",
      ".x           | _.x",
      "k:v          | k_v",
      "%            | ''",
  })
  void tagKey(String foreign, String expected) {
    assertEquals(expected, MetricNames.tagKey(foreign));
  }

  @Test
  void joinAndTagValues() {
    assertEquals("check.load.load1", MetricNames.join("check", "load", "", "load1"));
    assertEquals("v".repeat(256), MetricNames.tagValue("v".repeat(300)));
    assertEquals("", MetricNames.tagValue(null));
  }
}
