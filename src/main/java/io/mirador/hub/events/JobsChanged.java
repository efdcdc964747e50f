package io.mirador.hub.events;

/**
 * The jobs API changed a job ({@link #SUBMITTED}: a new one is stored; {@link #CANCEL}: its cancellation was asked and
 * stored), or the sched role moved one ({@link #PROGRESS}), for the sched owner and the dashboard.
 */
public record JobsChanged(String id, String what, String state) implements HubEvent {

  public static final String SUBMITTED = "submitted";
  public static final String CANCEL = "cancel";
  public static final String PROGRESS = "progress";
}
