package io.mirador.hub.events;

/**
 * An alert rule, notifier or silence was created, replaced, removed or expired through the API (on any node): the alert
 * role reads its configuration again, and engines their {@link io.mirador.hub.alert.AlertIndex} when it is a rule.
 *
 * @param what {@value #RULE}, {@value #NOTIFIER} or {@value #SILENCE}
 */
public record AlertConfigChanged(String what, String name) implements HubEvent {
  public static final String RULE = "rule";
  public static final String NOTIFIER = "notifier";
  public static final String SILENCE = "silence";
}
