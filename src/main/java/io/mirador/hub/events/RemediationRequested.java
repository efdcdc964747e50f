package io.mirador.hub.events;

/** An alert of a rule that names a remediation template fired on an agent: the sched owner runs the template there. */
public record RemediationRequested(String rule, String fingerprint, String agent, String template, int maxPerHour) implements HubEvent {
}
