package io.mirador.agent.exec.parse;

import io.mirador.model.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Collects one run's samples and errors within the bounds of {@link OutputParser}, counting what goes beyond them. */
final class ParseSink {

  private final long now;
  private final List<Sample> samples = new ArrayList<>();
  private final List<LineError> errors = new ArrayList<>();
  private int droppedSamples;
  private int firstDroppedSampleLine;
  private int droppedErrors;
  private int firstDroppedErrorLine;

  ParseSink(long now) {
    this.now = now;
  }

  long now() {
    return now;
  }

  /** Whether a further error would only be counted, so its text need not be built. */
  boolean errorsFull() {
    return errors.size() >= OutputParser.MAX_ERRORS;
  }

  void error(int line, String text, String reason) {
    if (errors.size() < OutputParser.MAX_ERRORS) {
      errors.add(new LineError(line, text, reason));
    } else {
      if (droppedErrors++ == 0) {
        firstDroppedErrorLine = line;
      }
    }
  }

  /**
   * Adds a sample once it is known to be valid; otherwise records why not.
   *
   * @param name the clean Mirador name, {@code ""} when the foreign one had nothing usable
   * @param foreignName the name as the plugin wrote it, for the error message
   * @return whether the sample was kept (or only counted as beyond the bound)
   */
  boolean sample(int line, String text, String name, String foreignName, Tags tags, double value, long ts) {
    return sample(line, () -> text, name, foreignName, tags, value, ts);
  }

  /** As {@link #sample(int, String, String, String, Tags, double, long)}, the line's text built only for an error. */
  boolean sample(int line, Supplier<String> text, String name, String foreignName, Tags tags, double value, long ts) {
    if (name.isEmpty()) {
      error(line, text.get(), "metric name '" + LineError.cut(foreignName) + "' has no usable character");
      return false;
    }
    if (!Double.isFinite(value)) {
      error(line, text.get(), "value of " + name + " is not a finite number");
      return false;
    }
    if (!Values.isEpochMs(ts)) {
      error(line, text.get(), "timestamp of " + name + " is out of range");
      return false;
    }
    Map<String, String> tagMap = Map.of();
    if (tags != null) {
      String problems = tags.takeProblems();
      if (problems != null) {
        error(line, text.get(), problems);
      }
      tagMap = tags.map();
    }
    if (samples.size() < OutputParser.MAX_SAMPLES) {
      samples.add(Sample.of(name, tagMap, value, ts));
    } else if (droppedSamples++ == 0) {
      firstDroppedSampleLine = line;
    }
    return true;
  }

  List<Sample> samples() {
    return samples;
  }

  /** The errors, followed by one summary line for each bound that was hit. */
  List<LineError> errors() {
    List<LineError> all = new ArrayList<>(errors);
    if (droppedErrors > 0) {
      all.add(new LineError(firstDroppedErrorLine, "", droppedErrors + " more error(s) not listed: at most "
          + OutputParser.MAX_ERRORS + " per run"));
    }
    if (droppedSamples > 0) {
      all.add(new LineError(firstDroppedSampleLine, "", droppedSamples + " sample(s) dropped: at most "
          + OutputParser.MAX_SAMPLES + " per run"));
    }
    return all;
  }

  Parsed metrics() {
    return Parsed.metrics(samples(), errors());
  }
}
