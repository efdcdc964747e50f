package io.mirador.hub.sched;

/** Where a job is: WAITING until its first target starts, RUNNING, then one of the three ends once nothing runs any more. */
public enum JobState {
  WAITING, RUNNING, SUCCEEDED, FAILED, CANCELLED;

  public boolean ended() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }
}
