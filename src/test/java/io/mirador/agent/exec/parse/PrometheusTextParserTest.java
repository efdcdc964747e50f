package io.mirador.agent.exec.parse;

import static io.mirador.agent.exec.parse.Fixtures.NOW;
import static io.mirador.agent.exec.parse.Fixtures.assertErrorMentions;
import static io.mirador.agent.exec.parse.Fixtures.assertNoErrors;
import static io.mirador.agent.exec.parse.Fixtures.at;
import static io.mirador.agent.exec.parse.Fixtures.errorLines;
import static io.mirador.agent.exec.parse.Fixtures.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mirador.model.Sample;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PrometheusTextParserTest {

  private static final PrometheusTextParser PARSER = new PrometheusTextParser();

  private static Parsed parse(String output) {
    return valid(PARSER.parse(output, 0, NOW, "p"));
  }

  static Stream<Arguments> goodLines() {
    return Stream.of(
        Arguments.of("http_requests_total{method=\"post\",code=\"200\"} 1027 1395066363000",
            List.of(at("http_requests_total", Map.of("method", "post", "code", "200"), 1027, 1_395_066_363_000L))),
        Arguments.of("metric_without_timestamp_and_labels 12.47", List.of(at("metric_without_timestamp_and_labels", 12.47))),
        Arguments.of("msdos_file_access_time_seconds{path=\"C:\\\\DIR\\\\FILE.TXT\",error=\"Cannot find file:\\n\\\"FILE.TXT\\\"\"} 1.458255915e9",
            List.of(at("msdos_file_access_time_seconds", Map.of("path", "C:\\DIR\\FILE.TXT", "error", "Cannot find file:\n\"FILE.TXT\""), 1.458255915e9))),
        Arguments.of("job:http_requests:rate5m{job=\"api\"} 3", List.of(at("job_http_requests_rate5m", Map.of("job", "api"), 3))),
        Arguments.of("Go_Threads 8", List.of(at("go_threads", 8))),
        Arguments.of("http_request_duration_seconds_bucket{le=\"+Inf\"} 144320",
            List.of(at("http_request_duration_seconds_bucket", Map.of("le", "+Inf"), 144320))),
        Arguments.of("  spaced { a = \"1\" , b=\"2\", } \t 5  ", List.of(at("spaced", Map.of("a", "1", "b", "2"), 5))),
        Arguments.of("empty_label{a=\"\",b=\"x\"} 1", List.of(at("empty_label", Map.of("b", "x"), 1))),
        Arguments.of("empty_braces{} 1", List.of(at("empty_braces", 1))),
        Arguments.of("rpc_duration_seconds{quantile=\"0.99\"} NaN", List.of()),
        Arguments.of("upper +Inf", List.of()),
        Arguments.of("lower -Inf", List.of()),
        Arguments.of("# HELP http_requests_total The total number of HTTP requests.", List.of()),
        Arguments.of("# TYPE http_requests_total counter", List.of()),
        Arguments.of("# EOF", List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goodLines")
  void goodLine(String line, List<Sample> expected) {
    Parsed parsed = parse(line);
    assertNoErrors(parsed);
    assertEquals(expected, parsed.samples());
  }

  @Test
  void aWholeExposition() {
    String output = """
        # HELP rpc_duration_seconds A summary of the RPC duration in seconds.
        # TYPE rpc_duration_seconds summary
        rpc_duration_seconds{quantile="0.01"} 3102
        rpc_duration_seconds{quantile="0.5"} 4773
        rpc_duration_seconds_sum 1.7560473e+07
        rpc_duration_seconds_count 2693
        # A histogram
        # TYPE http_request_duration_seconds histogram
        http_request_duration_seconds_bucket{le="0.05"} 24054
        http_request_duration_seconds_bucket{le="+Inf"} 144320
        http_request_duration_seconds_sum 53423
        http_request_duration_seconds_count 144320
        """;
    Parsed parsed = parse(output);
    assertNoErrors(parsed);
    assertEquals(List.of(
        at("rpc_duration_seconds", Map.of("quantile", "0.01"), 3102),
        at("rpc_duration_seconds", Map.of("quantile", "0.5"), 4773),
        at("rpc_duration_seconds_sum", 1.7560473e+07),
        at("rpc_duration_seconds_count", 2693),
        at("http_request_duration_seconds_bucket", Map.of("le", "0.05"), 24054),
        at("http_request_duration_seconds_bucket", Map.of("le", "+Inf"), 144320),
        at("http_request_duration_seconds_sum", 53423),
        at("http_request_duration_seconds_count", 144320)), parsed.samples());
  }

  @Test
  void badLinesAreErrorsAndTheOthersStillParse() {
    String output = String.join("\n",
        "ok_one 1",
        "{a=\"b\"} 1",
        "no_value",
        "bad_value abc",
        "open_label{a=\"b} 1",
        "unquoted{a=b} 1",
        "twice{a=\"1\",a=\"2\"} 1",
        "no_comma{a=\"1\" b=\"2\"} 1",
        "bad_ts 1 soon",
        "extra 1 1395066363000 x",
        "neg_ts 1 -5",
        "ok_two 2");
    Parsed parsed = parse(output);
    assertEquals(List.of(at("ok_one", 1), at("ok_two", 2)), parsed.samples());
    assertEquals(List.of(2, 3, 4, 5, 6, 7, 8, 9, 10, 11), errorLines(parsed));
    assertErrorMentions(parsed, 2, "no metric name");
    assertErrorMentions(parsed, 3, "no value");
    assertErrorMentions(parsed, 4, "'abc' is not a number");
    assertErrorMentions(parsed, 5, "no closing quote");
    assertErrorMentions(parsed, 6, "'\"' expected");
    assertErrorMentions(parsed, 7, "label a given twice");
    assertErrorMentions(parsed, 8, "',' or '}' expected");
    assertErrorMentions(parsed, 9, "not epoch ms");
    assertErrorMentions(parsed, 10, "after the timestamp");
  }
}
