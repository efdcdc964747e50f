package io.mirador.hub.alert;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Annotations are templates in Prometheus's most used forms: {@code {{ $value }}} and {@code {{ $labels.name }}}
 * (a missing label renders empty). Anything else between braces stays as written.
 */
public final class Templates {

  private static final Pattern VAR = Pattern.compile("\\{\\{\\s*\\$(value|labels\\.([a-zA-Z_][a-zA-Z0-9_]*))\\s*\\}\\}");

  private Templates() {
  }

  public static Map<String, String> render(Map<String, String> annotations, Map<String, String> labels, double value) {
    if (annotations.isEmpty()) {
      return Map.of();
    }
    Map<String, String> out = new HashMap<>();
    annotations.forEach((key, template) -> out.put(key, render(template, labels, value)));
    return out;
  }

  public static String render(String template, Map<String, String> labels, double value) {
    if (template.indexOf("{{") < 0) {
      return template;
    }
    Matcher m = VAR.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement = m.group(2) == null ? number(value) : labels.getOrDefault(m.group(2), "");
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** 95.0 → "95", 12.3456 → "12.3456", NaN → "". */
  static String number(double value) {
    if (!Double.isFinite(value)) {
      return "";
    }
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return Double.toString(Math.round(value * 1e4) / 1e4);
  }
}
