package io.mirador.model;

import static io.mirador.model.InvalidEventException.require;

/**
 * Body of a {@code result} event: how one agent's run of a remote job ended.
 *
 * @param state  {@code succeeded}, {@code failed}, {@code timed_out} or {@code cancelled}
 * @param output what the script wrote on stdout (capped by the agent)
 * @param stderr what it wrote on stderr (capped), or why it was not run
 */
public record JobResult(String job, String state, Integer exitCode, String output, long startedAt, long endedAt, String stderr)
    implements EventBody {

  /** A result without stderr. */
  public JobResult(String job, String state, Integer exitCode, String output, long startedAt, long endedAt) {
    this(job, state, exitCode, output, startedAt, endedAt, null);
  }

  @Override
  public void validate() {
    require(job != null && !job.isBlank(), "job id is required");
    require(state != null && !state.isBlank(), "job state is required");
  }
}
