package io.mirador.agent.exec.parse;

/**
 * Why (part of) an output line gave no sample, or not the sample it asked for.
 *
 * @param line 1-based line number in the plugin's output; for the overflow summaries, the line where the overflow began
 * @param text the offending line or item, cut to {@value #MAX_TEXT} characters
 * @param reason what was wrong, fit for a log line or an API answer
 */
public record LineError(int line, String text, String reason) {

  public static final int MAX_TEXT = 120;

  public LineError {
    text = cut(text);
    reason = reason == null ? "" : reason;
  }

  static String cut(String text) {
    if (text == null) {
      return "";
    }
    if (text.length() <= MAX_TEXT) {
      return text;
    }
    int end = Character.isHighSurrogate(text.charAt(MAX_TEXT - 1)) ? MAX_TEXT - 1 : MAX_TEXT;
    return text.substring(0, end) + "…";
  }
}
