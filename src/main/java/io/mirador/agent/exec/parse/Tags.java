package io.mirador.agent.exec.parse;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Tags of one line's samples, sanitised by {@link MetricNames} as they come in; what had to be left out is remembered. */
final class Tags {

  private final Map<String, String> tags = new LinkedHashMap<>();
  private StringBuilder problems;
  private int beyondLimit;

  /** Adds a tag; a key with nothing usable, a repeated key or a tag beyond the {@value MetricNames#MAX_TAGS}th is left out and noted. */
  Tags put(String foreignKey, String value) {
    String key = MetricNames.tagKey(foreignKey);
    if (key.isEmpty()) {
      problem("tag key '" + foreignKey + "' has no usable character");
    } else if (tags.containsKey(key)) {
      problem("tag '" + key + "' given twice, first kept");
    } else if (tags.size() >= MetricNames.MAX_TAGS) {
      beyondLimit++;
    } else {
      tags.put(key, MetricNames.tagValue(value));
    }
    return this;
  }

  boolean isEmpty() {
    return tags.isEmpty();
  }

  Map<String, String> map() {
    return tags.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(tags));
  }

  /** What was left out, {@code null} when nothing; told once, so a line with several samples reports it once. */
  String takeProblems() {
    if (beyondLimit > 0) {
      problem(beyondLimit + " tag(s) beyond the first " + MetricNames.MAX_TAGS + " dropped");
      beyondLimit = 0;
    }
    String told = problems == null ? null : problems.toString();
    problems = null;
    return told;
  }

  private void problem(String what) {
    if (problems == null) {
      problems = new StringBuilder(what);
    } else if (problems.length() < 1000) {
      problems.append("; ").append(what);
    }
  }
}
