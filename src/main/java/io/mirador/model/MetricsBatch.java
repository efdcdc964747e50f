package io.mirador.model;

import static io.mirador.model.InvalidEventException.require;

import java.util.List;

/** Body of a {@code metrics} event: a batch of samples. */
public record MetricsBatch(List<Sample> samples) implements EventBody {

  public static final int MAX_SAMPLES = 10_000;

  public MetricsBatch {
    samples = samples == null ? List.of() : samples;
  }

  @Override
  public void validate() {
    require(!samples.isEmpty(), "metrics body needs a non-empty samples array");
    require(samples.size() <= MAX_SAMPLES, "metrics batch holds " + samples.size() + " samples, at most " + MAX_SAMPLES + " allowed");
    for (Sample sample : samples) {
      require(sample != null, "metrics batch holds a null sample");
      sample.validate();
    }
  }
}
