package io.mirador.agent.exec.parse;

/**
 * A format with one record per line: splits the output (LF or CRLF), skips blank lines, rejects lines longer than
 * {@value OutputParser#MAX_LINE_LENGTH} characters, and turns an unexpected failure on a line into that line's error.
 */
abstract class LineParser implements OutputParser {

  @Override
  public final Parsed parse(String output, int exitCode, long now, String checkName) {
    ParseSink sink = new ParseSink(now);
    Lines.forEach(output, (number, line) -> {
      if (line.isBlank()) {
        return;
      }
      if (line.length() > MAX_LINE_LENGTH) {
        sink.error(number, line, "line longer than " + MAX_LINE_LENGTH + " characters");
        return;
      }
      try {
        parseLine(number, line, sink);
      } catch (RuntimeException unexpected) {
        sink.error(number, line, "unreadable line: " + unexpected);
      }
    });
    return sink.metrics();
  }

  /** Parses one non-blank line of at most {@value OutputParser#MAX_LINE_LENGTH} characters. */
  abstract void parseLine(int number, String line, ParseSink sink);
}
