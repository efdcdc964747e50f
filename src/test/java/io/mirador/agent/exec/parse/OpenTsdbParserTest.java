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

class OpenTsdbParserTest {

  private static final OpenTsdbParser PARSER = new OpenTsdbParser();

  private static Parsed parse(String output) {
    return valid(PARSER.parse(output, 0, NOW, "o"));
  }

  static Stream<Arguments> goodLines() {
    return Stream.of(
        Arguments.of("put sys.cpu.user 1356998400 42.5 host=webserver01 cpu=0",
            at("sys.cpu.user", Map.of("host", "webserver01", "cpu", "0"), 42.5, 1_356_998_400_000L)),
        Arguments.of("put sys.cpu.user 1356998400500 42 host=web01",
            at("sys.cpu.user", Map.of("host", "web01"), 42, 1_356_998_400_500L)),
        Arguments.of("put sys.cpu.user 1356998400.5 1", at("sys.cpu.user", Map.of(), 1, 1_356_998_400_500L)),
        Arguments.of("put 1 12 -7", at("1", Map.of(), -7, 12_000L)),
        Arguments.of("PUT Sys/If-Octets 1356998400 1e3 iface=eth0",
            at("sys.if_octets", Map.of("iface", "eth0"), 1000, 1_356_998_400_000L)),
        Arguments.of("put proc.loadavg.1m 1700000000 0.36 host=a tag:with:colons=x",
            at("proc.loadavg.1m", Map.of("host", "a", "tag_with_colons", "x"), 0.36, 1_700_000_000_000L)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goodLines")
  void goodLine(String line, Sample expected) {
    Parsed parsed = parse(line);
    assertNoErrors(parsed);
    assertEquals(List.of(expected), parsed.samples());
  }

  @Test
  void badLinesAreErrorsAndTheOthersStillParse() {
    String output = String.join("\n",
        "put ok.one 1700000000 1",
        "get ok.two 1700000000 1",
        "put short 1700000000",
        "put ts.12.digits 170000000000 1",
        "put ts.14.digits 17000000000000 1",
        "put ts.word now 1",
        "put bad.value 1700000000 x",
        "put bad.tag 1700000000 1 host",
        "put ok.two 1700000000 2 host=a");
    Parsed parsed = parse(output);
    assertEquals(List.of(at("ok.one", Map.of(), 1, 1_700_000_000_000L),
        at("ts.12.digits", Map.of(), 1, 170_000_000_000L),
        at("ok.two", Map.of("host", "a"), 2, 1_700_000_000_000L)), parsed.samples());
    assertEquals(List.of(2, 3, 5, 6, 7, 8), errorLines(parsed));
    assertErrorMentions(parsed, 2, "not a put command");
    assertErrorMentions(parsed, 5, "neither epoch seconds nor epoch ms");
    assertErrorMentions(parsed, 7, "'x' is not a number");
    assertErrorMentions(parsed, 8, "'host' is not tagk=tagv");
  }

  @Test
  void twelveDigitsAreMilliseconds() {
    assertEquals(170_000_000_000L, OpenTsdbParser.timestamp("170000000000"));
    assertEquals(1_700_000_000_000L, OpenTsdbParser.timestamp("1700000000"));
    assertEquals(-1, OpenTsdbParser.timestamp("0"));
  }
}
