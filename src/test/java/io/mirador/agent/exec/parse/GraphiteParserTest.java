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

class GraphiteParserTest {

  private static final GraphiteParser PARSER = new GraphiteParser();

  private static Parsed parse(String output) {
    return valid(PARSER.parse(output, 0, NOW, "g"));
  }

  static Stream<Arguments> goodLines() {
    return Stream.of(
        Arguments.of("local.random.diceroll 4 1700000100", at("local.random.diceroll", Map.of(), 4, 1_700_000_100_000L)),
        Arguments.of("servers.Web-01.cpu.user\t12.5\t1700000100", at("servers.web_01.cpu.user", Map.of(), 12.5, 1_700_000_100_000L)),
        Arguments.of("a.b -3.5e2 1700000100.25", at("a.b", Map.of(), -350, 1_700_000_100_250L)),
        Arguments.of("no.timestamp 7", at("no.timestamp", 7)),
        Arguments.of("minus.one.means.now 7 -1", at("minus.one.means.now", 7)),
        Arguments.of("  padded.line   1   1700000100  ", at("padded.line", Map.of(), 1, 1_700_000_100_000L)),
        Arguments.of("disk.used;datacenter=dc1;server=web01 42 1700000100",
            at("disk.used", Map.of("datacenter", "dc1", "server", "web01"), 42, 1_700_000_100_000L)),
        Arguments.of("cpu;core:id=0 1", at("cpu", Map.of("core_id", "0"), 1)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goodLines")
  void goodLine(String line, Sample expected) {
    Parsed parsed = parse(line + "\n");
    assertNoErrors(parsed);
    assertEquals(List.of(expected), parsed.samples());
    assertEquals(null, parsed.status());
  }

  @Test
  void badLinesAreErrorsAndTheOthersStillParse() {
    String output = String.join("\n",
        "ok.one 1 1700000100",
        "just.a.path",
        "too many fields 1 2",
        "bad.value abc 1700000100",
        "bad.ts 1 yesterday",
        "",
        "bad.tag;notag 1",
        "%%% 1",
        "nan.value NaN",
        "inf.value 1e999",
        "zero.ts 1 0",
        "ok.two 2");
    Parsed parsed = parse(output);
    assertEquals(List.of(at("ok.one", Map.of(), 1, 1_700_000_100_000L), at("ok.two", 2)), parsed.samples());
    assertEquals(List.of(2, 3, 4, 5, 7, 8, 9, 10, 11), errorLines(parsed));
    assertErrorMentions(parsed, 2, "got 1 field(s)");
    assertErrorMentions(parsed, 4, "'abc' is not a number");
    assertErrorMentions(parsed, 5, "not epoch seconds");
    assertErrorMentions(parsed, 7, "not tag=value");
    assertErrorMentions(parsed, 8, "no usable character");
    assertErrorMentions(parsed, 10, "not a finite number");
    assertEquals("just.a.path", parsed.errors().get(0).text());
  }
}
