package io.mirador.model;

import static io.mirador.model.InvalidEventException.require;

/** Body of a {@code result} event: how one agent's run of a remote job ended. */
public record JobResult(String job, String state, Integer exitCode, String output, long startedAt, long endedAt) implements EventBody {

  @Override
  public void validate() {
    require(job != null && !job.isBlank(), "job id is required");
    require(state != null && !state.isBlank(), "job state is required");
  }
}
