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

class CollectdParserTest {

  private static final CollectdParser PARSER = new CollectdParser();
  private static final long TS = 1_179_574_444_000L;

  private static Parsed parse(String output) {
    return valid(PARSER.parse(output, 0, NOW, "c"));
  }

  static Stream<Arguments> goodLines() {
    return Stream.of(
        Arguments.of("PUTVAL \"myhost/exec-magic/gauge-magic_level\" interval=10 N:42",
            List.of(at("exec.gauge", Map.of("host", "myhost", "plugin_instance", "magic", "type_instance", "magic_level"), 42))),
        Arguments.of("PUTVAL myhost/cpu-0/cpu-idle 1179574444:98.5",
            List.of(at("cpu.cpu", Map.of("host", "myhost", "plugin_instance", "0", "type_instance", "idle"), 98.5, TS))),
        Arguments.of("PUTVAL testhost/interface/if_octets-eth0 interval=10 1179574444:123:456",
            List.of(at("interface.if_octets.rx", Map.of("host", "testhost", "type_instance", "eth0"), 123, TS),
                at("interface.if_octets.tx", Map.of("host", "testhost", "type_instance", "eth0"), 456, TS))),
        Arguments.of("PUTVAL h/load/load N:0.5:0.25:U",
            List.of(at("load.load.shortterm", Map.of("host", "h"), 0.5), at("load.load.midterm", Map.of("host", "h"), 0.25))),
        Arguments.of("PUTVAL h/my_app/my_type N:1:2:3",
            List.of(at("my_app.my_type.0", Map.of("host", "h"), 1), at("my_app.my_type.1", Map.of("host", "h"), 2),
                at("my_app.my_type.2", Map.of("host", "h"), 3))),
        Arguments.of("PUTVAL h/df-root/df_complex-free 1179574444.5:1e9 1179574454.5:2e9",
            List.of(at("df.df_complex", Map.of("host", "h", "plugin_instance", "root", "type_instance", "free"), 1e9, TS + 500),
                at("df.df_complex", Map.of("host", "h", "plugin_instance", "root", "type_instance", "free"), 2e9, TS + 10_500))),
        Arguments.of("putval \"h/exec/gauge-with space\" N:U", List.of()),
        Arguments.of("PUTNOTIF severity=okay time=1179574444 message=hello", List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goodLines")
  void goodLine(String line, List<Sample> expected) {
    Parsed parsed = parse(line);
    assertNoErrors(parsed);
    assertEquals(expected, parsed.samples());
  }

  @Test
  void badLinesAreErrorsAndTheOthersStillParse() {
    String output = String.join("\n",
        "PUTVAL h/p/gauge N:1",
        "LISTVAL",
        "PUTVAL h/p N:1",
        "PUTVAL \"h/p/gauge N:1",
        "PUTVAL h/p/gauge interval=abc N:1",
        "PUTVAL h/p/gauge",
        "PUTVAL h/p/gauge yesterday:1",
        "PUTVAL h/p/gauge N:abc:2",
        "PUTVAL /p/gauge N:1",
        "PUTVAL h/-x/gauge N:1",
        "PUTVAL h/p/gauge interval=10",
        "PUTVAL h/%%%/gauge N:1",
        "PUTVAL h/q/gauge N:3");
    Parsed parsed = parse(output);
    assertEquals(List.of(at("p.gauge", Map.of("host", "h"), 1), at("p.gauge.1", Map.of("host", "h"), 2),
        at("q.gauge", Map.of("host", "h"), 3)), parsed.samples());
    assertEquals(List.of(2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), errorLines(parsed));
    assertErrorMentions(parsed, 2, "unknown command 'LISTVAL'");
    assertErrorMentions(parsed, 3, "is not host/plugin[-instance]/type[-instance]");
    assertErrorMentions(parsed, 4, "no closing quote");
    assertErrorMentions(parsed, 5, "positive interval");
    assertErrorMentions(parsed, 7, "is not time:value");
    assertErrorMentions(parsed, 8, "'abc' is not a number");
    assertErrorMentions(parsed, 10, "no usable plugin or type name");
    assertErrorMentions(parsed, 11, "no value list");
    assertErrorMentions(parsed, 12, "no usable plugin or type name");
  }
}
