package io.mirador.agent.exec.parse;

import static io.mirador.agent.exec.parse.Fixtures.NOW;
import static io.mirador.agent.exec.parse.Fixtures.valid;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What every parser promises whatever it is fed: no exception, valid samples, bounded results. */
class ParserBoundsTest {

  /** A good line giving one sample, numbered {@code i}, in each format. */
  private static String goodLine(OutputFormat format, int i) {
    return switch (format) {
      case NAGIOS -> "m" + i + "=1";
      case GRAPHITE -> "m" + i + " 1";
      case INFLUX -> "m" + i + " v=1";
      case OPENTSDB -> "put m" + i + " 1700000000 1";
      case COLLECTD -> "PUTVAL h/p" + i + "/gauge N:1";
      case PROMETHEUS -> "m" + i + " 1";
      case JSON -> "\"m" + i + "\": 1";
    };
  }

  /** Lines before the first of {@link #document}'s lines. */
  private static int header(OutputFormat format) {
    return switch (format) {
      case NAGIOS -> 2;
      case JSON -> 1;
      default -> 0;
    };
  }

  /** An output made of {@code lines}, in the format's frame (Nagios: a status line, then perfdata after a '|' line; JSON: an object). */
  private static String document(OutputFormat format, List<String> lines) {
    return switch (format) {
      case NAGIOS -> "OK\n| \n" + String.join("\n", lines) + "\n";
      case JSON -> "{\n" + String.join(",\n", lines) + "\n}";
      default -> String.join("\n", lines) + "\n";
    };
  }

  private static final String[] SEEDS = {
      "OK - fine | 'a b'=1.5ms;~:10;@1:2;0;100 c=3c\nlong | d=U e=4KB",
      "servers.web;dc=1 4.5 1700000000",
      "cpu,host=a\\ b usage=1.5,ok=t,s=\"x\\\"y\" 1700000000000000000",
      "put sys.cpu 1700000000 4 host=a",
      "PUTVAL \"h/cpu-0/cpu-idle\" interval=10 N:1:U:2",
      "# TYPE x counter\nx_total{a=\"b\\\\\\\"\\n\",le=\"+Inf\"} 1e3 1700000000000",
      "{\"a\":{\"b\":[1,true,null,\"s\"]},\"samples\":[{\"name\":\"x\",\"value\":1,\"tags\":{\"k\":\"v\"},\"ts\":1700000000}]}",
  };

  @ParameterizedTest
  @EnumSource(OutputFormat.class)
  void neverThrowsOnRandomInput(OutputFormat format) {
    OutputParser parser = Parsers.forFormat(format);
    Random random = new Random(20240601L + format.ordinal());
    for (int round = 0; round < 1500; round++) {
      String input;
      if (round % 3 == 0) {
        byte[] bytes = new byte[random.nextInt(400)];
        random.nextBytes(bytes);
        input = new String(bytes, round % 2 == 0 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
      } else {
        input = mutate(SEEDS[random.nextInt(SEEDS.length)], random);
      }
      String fed = input;
      int exitCode = random.nextInt(300) - 20;
      Parsed parsed = assertDoesNotThrow(() -> parser.parse(fed, exitCode, NOW, "fuzz"), () -> "input: " + fed);
      assertDoesNotThrow(() -> valid(parsed), () -> "input: " + fed);
      // JSON counts a lone CR as a line break too
      long lines = 1 + fed.chars().filter(c -> c == '\n' || (format == OutputFormat.JSON && c == '\r')).count();
      for (LineError error : parsed.errors()) {
        assertTrue(error.line() >= 1 && error.line() <= Math.max(1, lines), () -> error + " for input: " + fed);
        assertTrue(error.text().length() <= LineError.MAX_TEXT + 1, error::toString);
      }
      if (format == OutputFormat.NAGIOS) {
        assertTrue(parsed.status() >= 0 && parsed.status() <= 3);
      }
    }
  }

  /** Flips, inserts and deletes characters, favouring the ones that matter to the grammars. */
  private static String mutate(String seed, Random random) {
    String specials = " \t\n\r=;:,.'\"\\{}[]|/-+eE0123456789UNaInf~@%#";
    StringBuilder text = new StringBuilder(seed);
    int edits = 1 + random.nextInt(6);
    for (int i = 0; i < edits; i++) {
      int at = random.nextInt(text.length() + 1);
      char c = random.nextInt(4) == 0 ? (char) random.nextInt(0x3000) : specials.charAt(random.nextInt(specials.length()));
      switch (random.nextInt(3)) {
        case 0 -> text.insert(at, c);
        case 1 -> { if (at < text.length()) { text.deleteCharAt(at); } }
        default -> { if (at < text.length()) { text.setCharAt(at, c); } }
      }
    }
    return text.toString();
  }

  @ParameterizedTest
  @EnumSource(OutputFormat.class)
  void atMostTenThousandSamplesAndTheRestCounted(OutputFormat format) {
    List<String> lines = IntStream.range(0, OutputParser.MAX_SAMPLES + 50).mapToObj(i -> goodLine(format, i)).toList();
    Parsed parsed = valid(Parsers.forFormat(format).parse(document(format, lines), 0, NOW, "many"));
    assertEquals(OutputParser.MAX_SAMPLES, parsed.samples().size());
    assertEquals(1, parsed.errors().size(), parsed.errors()::toString);
    LineError overflow = parsed.errors().get(0);
    assertEquals("50 sample(s) dropped: at most 10000 per run", overflow.reason());
    assertEquals(header(format) + OutputParser.MAX_SAMPLES + 1, overflow.line());
  }

  @ParameterizedTest
  @EnumSource(OutputFormat.class)
  void atMostOneHundredErrorsAndTheRestCounted(OutputFormat format) {
    String bad = switch (format) {
      case NAGIOS -> "%%%";
      case JSON -> "\"%%%\": 1";
      default -> "%%% !!!";
    };
    List<String> lines = IntStream.range(0, 150).mapToObj(i -> i == 75 ? goodLine(format, 1) : bad).toList();
    Parsed parsed = Parsers.forFormat(format).parse(document(format, lines), 0, NOW, "bad");
    assertEquals(1, parsed.samples().size());
    assertEquals(OutputParser.MAX_ERRORS + 1, parsed.errors().size());
    assertEquals("49 more error(s) not listed: at most 100 per run", parsed.errors().get(OutputParser.MAX_ERRORS).reason());
  }

  @ParameterizedTest
  @EnumSource(value = OutputFormat.class, names = "JSON", mode = EnumSource.Mode.EXCLUDE)
  void linesLongerThan64KiBAreRejected(OutputFormat format) {
    String longLine = goodLine(format, 1) + " " + "x".repeat(OutputParser.MAX_LINE_LENGTH);
    Parsed parsed = Parsers.forFormat(format).parse(document(format, List.of(longLine, goodLine(format, 2))), 0, NOW, "long");
    assertEquals(List.of(header(format) + 1), parsed.errors().stream().map(LineError::line).toList());
    assertTrue(parsed.errors().get(0).reason().contains("longer than 65536"));
    assertEquals(1, parsed.samples().size());
    assertTrue(parsed.samples().get(0).name().contains("m2") || parsed.samples().get(0).name().contains("p2"), parsed.samples()::toString);
  }

  @Test
  void aLongNagiosFirstLineStillGivesTheOutputText() {
    Parsed parsed = Parsers.forFormat(OutputFormat.NAGIOS).parse("CRITICAL " + "x".repeat(70_000), 2, NOW, "c");
    assertEquals(2, parsed.status());
    assertEquals(OutputParser.MAX_LINE_LENGTH, parsed.output().length());
    assertEquals(1, parsed.errors().size());
  }

  @Test
  void jsonBoundsTheDocumentNotItsLines() {
    String oneLine = "{" + IntStream.range(0, 5000).mapToObj(i -> "\"metric_" + i + "\":" + i).collect(Collectors.joining(",")) + "}";
    assertTrue(oneLine.length() > OutputParser.MAX_LINE_LENGTH);
    Parsed parsed = Parsers.forFormat(OutputFormat.JSON).parse(oneLine, 0, NOW, "j");
    assertEquals(5000, parsed.samples().size());
    assertEquals(List.of(), parsed.errors());
    Parsed huge = Parsers.forFormat(OutputFormat.JSON).parse(" ".repeat(JsonParser.MAX_DOCUMENT_LENGTH) + "{}", 0, NOW, "j");
    assertTrue(huge.errors().get(0).reason().contains("longer than"));
  }
}
