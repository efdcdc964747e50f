package io.mirador.agent.exec.parse;

/** Splits plugin output into numbered lines without copying it all at once. */
final class Lines {

  interface Handler {
    void line(int number, String text);
  }

  private Lines() {
  }

  /** Calls {@code handler} for each line, numbered from 1, without its LF or CRLF; no line follows a final LF. */
  static void forEach(String output, Handler handler) {
    if (output == null || output.isEmpty()) {
      return;
    }
    int number = 0;
    int start = 0;
    while (start < output.length()) {
      int end = output.indexOf('\n', start);
      int next = end < 0 ? output.length() : end + 1;
      int stop = end < 0 ? output.length() : end;
      if (stop > start && output.charAt(stop - 1) == '\r') {
        stop--;
      }
      handler.line(++number, output.substring(start, stop));
      start = next;
    }
  }

  /** Line {@code number} (1-based) of {@code output}, {@code ""} when there is no such line. */
  static String line(String output, int number) {
    if (output == null || number <= 0) {
      return "";
    }
    int start = 0;
    for (int n = 1; n < number; n++) {
      int end = output.indexOf('\n', start);
      if (end < 0) {
        return "";
      }
      start = end + 1;
    }
    int end = output.indexOf('\n', start);
    String line = output.substring(start, end < 0 ? output.length() : end);
    return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
  }
}
