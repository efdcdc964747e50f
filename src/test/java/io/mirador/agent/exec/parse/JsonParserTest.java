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

class JsonParserTest {

  private static final JsonParser PARSER = new JsonParser();

  private static Parsed parse(String output) {
    return valid(PARSER.parse(output, 0, NOW, "j"));
  }

  static Stream<Arguments> goodDocuments() {
    return Stream.of(
        Arguments.of("{\"a\":{\"b\":1}}", List.of(at("a.b", 1))),
        Arguments.of("{\"up\":true,\"down\":false,\"name\":\"web\",\"none\":null,\"x\":-2.5e3}",
            List.of(at("up", 1), at("down", 0), at("x", -2500))),
        Arguments.of("{\"Disk Usage\":{\"/var\":3,\"/home/\":{\"used\":4}}}", List.of(at("disk_usage.var", 3), at("disk_usage.home.used", 4))),
        Arguments.of("{\"queue\":[5,6,{\"depth\":7}]}", List.of(at("queue.0", 5), at("queue.1", 6), at("queue.2.depth", 7))),
        Arguments.of("[{\"name\":\"cpu.usage\",\"value\":12.5,\"tags\":{\"cpu\":\"total\",\"core\":3,\"hot\":true},\"ts\":1700000000123}]",
            List.of(at("cpu.usage", Map.of("cpu", "total", "core", "3", "hot", "true"), 12.5, 1_700_000_000_123L))),
        Arguments.of("[{\"name\":\"Temp-C\",\"value\":21,\"ts\":1700000001}, {\"name\":\"ok\",\"value\":true,\"extra\":[1]}]",
            List.of(at("temp_c", Map.of(), 21, 1_700_000_001_000L), at("ok", 1))),
        Arguments.of("{\"samples\":[{\"name\":\"mirador.body\",\"value\":1}]}", List.of(at("mirador.body", 1))),
        Arguments.of("{}", List.of()),
        Arguments.of("[]", List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goodDocuments")
  void goodDocument(String json, List<Sample> expected) {
    Parsed parsed = parse(json);
    assertNoErrors(parsed);
    assertEquals(expected, parsed.samples());
  }

  @Test
  void badSampleObjectsAreErrorsOnTheirLinesAndTheOthersStillParse() {
    String json = """
        [
          {"name": "ok.one", "value": 1},
          {"value": 2},
          {"name": "no.value", "value": "3"},
          {"name": "bad.ts", "value": 4, "ts": "today"},
          {"name": "bad.tags", "value": 5, "tags": ["a"]},
          {"name": "%%%", "value": 6},
          7,
          {"name": "nested.tag", "value": 8, "tags": {"a": {"b": 1}, "c": "d"}},
          {"name": "huge", "value": 1e999},
          {"name": "ok.two", "value": 9}
        ]
        """;
    Parsed parsed = parse(json);
    assertEquals(List.of(at("ok.one", 1), at("nested.tag", Map.of("c", "d"), 8), at("ok.two", 9)), parsed.samples());
    assertEquals(List.of(3, 4, 5, 6, 7, 8, 9, 10), errorLines(parsed));
    assertErrorMentions(parsed, 3, "no string name");
    assertErrorMentions(parsed, 4, "no numeric value");
    assertErrorMentions(parsed, 5, "no epoch seconds or ms");
    assertErrorMentions(parsed, 6, "not an object");
    assertErrorMentions(parsed, 7, "no usable character");
    assertErrorMentions(parsed, 8, "not a sample object");
    assertErrorMentions(parsed, 9, "not a scalar");
    assertErrorMentions(parsed, 10, "not a finite number");
    assertEquals("{\"value\": 2},", parsed.errors().get(0).text().strip());
  }

  @Test
  void syntaxErrorKeepsWhatCameBefore() {
    Parsed parsed = parse("{\n\"a\": 1,\n\"b\": 2,\n\"c\": oops\n}");
    assertEquals(List.of(at("a", 1), at("b", 2)), parsed.samples());
    assertEquals(List.of(4), errorLines(parsed));
    assertErrorMentions(parsed, 4, "malformed JSON");
  }

  @Test
  void otherShapesAndTrailingText() {
    assertErrorMentions(parse("42"), 1, "expected a JSON object or array");
    assertErrorMentions(parse("\"text\""), 1, "expected a JSON object or array");
    Parsed trailing = parse("{\"a\":1}\n{\"b\":2}");
    assertEquals(List.of(at("a", 1)), trailing.samples());
    assertErrorMentions(trailing, 2, "text after the JSON document");
    assertNoErrors(parse("  \n "));
    Parsed unusableKey = parse("{\"%%%\": 1,\n\"kept\": 2}");
    assertEquals(List.of(at("kept", 2)), unusableKey.samples());
    assertErrorMentions(unusableKey, 1, "key '%%%' has no usable character");
  }

  @Test
  void deepNestingIsCut() {
    String deep = "{\"a\":".repeat(40) + "1" + "}".repeat(40);
    Parsed parsed = parse("{\"ok\":1,\"deep\":" + deep + ",\"after\":2}");
    assertEquals(List.of(at("ok", 1), at("after", 2)), parsed.samples());
    assertErrorMentions(parsed, 1, "nested deeper than");
  }
}
