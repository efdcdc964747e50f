package io.mirador.agent.exec.parse;

import static io.mirador.agent.exec.parse.Fixtures.NOW;
import static io.mirador.agent.exec.parse.Fixtures.assertErrorMentions;
import static io.mirador.agent.exec.parse.Fixtures.assertNoErrors;
import static io.mirador.agent.exec.parse.Fixtures.at;
import static io.mirador.agent.exec.parse.Fixtures.errorLines;
import static io.mirador.agent.exec.parse.Fixtures.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mirador.model.Sample;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class InfluxLineParserTest {

  private static final InfluxLineParser PARSER = new InfluxLineParser();
  private static final long TS = 1_465_839_830_100L;

  private static Parsed parse(String output) {
    return valid(PARSER.parse(output, 0, NOW, "i"));
  }

  static Stream<Arguments> goodLines() {
    Map<String, String> host = Map.of("host", "server01", "region", "us-west");
    return Stream.of(
        Arguments.of("cpu,host=server01,region=us-west usage_idle=98.5,usage_user=1.25 1465839830100400200",
            List.of(at("cpu.usage_idle", host, 98.5, TS), at("cpu.usage_user", host, 1.25, TS))),
        Arguments.of("mem used=1024i,free=12u,ok=t,bad=F,flag=true,off=FALSE",
            List.of(at("mem.used", 1024), at("mem.free", 12), at("mem.ok", 1), at("mem.bad", 0), at("mem.flag", 1), at("mem.off", 0))),
        Arguments.of("weather,location=us-midwest temperature=82,note=\"too hot, \\\"really\\\"\",humidity=-1.5e1 1465839830100400200",
            List.of(at("weather.temperature", Map.of("location", "us-midwest"), 82, TS),
                at("weather.humidity", Map.of("location", "us-midwest"), -15, TS))),
        Arguments.of("my\\ measure\\,ment,tag\\ key=tag\\,value\\=x field\\ key=1",
            List.of(at("my_measure_ment.field_key", Map.of("tag_key", "tag,value=x"), 1))),
        Arguments.of("disk,path=C:\\\\Windows free=5", List.of(at("disk.free", Map.of("path", "C:\\Windows"), 5))),
        Arguments.of("big huge=18446744073709551615u,min=-9223372036854775808i",
            List.of(at("big.huge", 18446744073709551615.0), at("big.min", -9223372036854775808.0))),
        Arguments.of("log message=\"only a string\"", List.of()),
        Arguments.of("# a comment", List.of()),
        Arguments.of("Net.IF,iface=eth0 rx-bytes=5 ", List.of(at("net.if.rx_bytes", Map.of("iface", "eth0"), 5))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goodLines")
  void goodLine(String line, List<Sample> expected) {
    Parsed parsed = parse(line);
    assertNoErrors(parsed);
    assertEquals(expected, parsed.samples());
  }

  @Test
  void badLinesAreRejectedWholeAndTheOthersStillParse() {
    String output = String.join("\n",
        "ok one=1",
        "nofields",
        "m,tag value=1",
        "m,tag= value=1",
        "m value=abc,good=2",
        "m value=1.5i",
        "m value=9223372036854775808i",
        "m value=-1u",
        "m value=\"open",
        "m value=1 notanumber",
        "m value=1 1465839830100400200 2",
        "m value=1 -5",
        "m value=NaN",
        ",t=1 value=1",
        "m value=1\"x",
        "ok two=2 1465839830100400200");
    Parsed parsed = parse(output);
    assertEquals(List.of(at("ok.one", 1), at("ok.two", Map.of(), 2, TS)), parsed.samples());
    assertEquals(List.of(2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), errorLines(parsed));
    assertErrorMentions(parsed, 2, "no fields");
    assertErrorMentions(parsed, 3, "not key=value");
    assertErrorMentions(parsed, 4, "has no value");
    assertErrorMentions(parsed, 5, "field 'value' has no valid value: 'abc'");
    assertErrorMentions(parsed, 9, "no closing quote");
    assertErrorMentions(parsed, 10, "not an epoch time in nanoseconds");
    assertErrorMentions(parsed, 11, "after the timestamp");
    assertErrorMentions(parsed, 14, "no measurement");
  }

  @Test
  void otherPrecisions() {
    assertEquals(List.of(at("m.v", Map.of(), 1, 1_700_000_000_000L)),
        new InfluxLineParser(TimeUnit.SECONDS).parse("m v=1 1700000000", 0, NOW, "i").samples());
    assertEquals(List.of(at("m.v", Map.of(), 1, 1_700_000_000_123L)),
        new InfluxLineParser(TimeUnit.MILLISECONDS).parse("m v=1 1700000000123", 0, NOW, "i").samples());
    assertEquals(List.of(at("m.v", Map.of(), 1, 1_700_000_000_123L)),
        new InfluxLineParser(TimeUnit.MICROSECONDS).parse("m v=1 1700000000123456", 0, NOW, "i").samples());
    assertThrows(IllegalArgumentException.class, () -> new InfluxLineParser(TimeUnit.MINUTES));
  }
}
