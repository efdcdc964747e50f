package io.mirador.hub.events;

import io.mirador.model.JobResult;
import io.mirador.model.LogLine;

/**
 * What an agent said about a job it runs, from the engine to the sched owner (a request: the engine acks the event
 * only once the sched owner stored it): its result, or one line of its output ({@code result} is null then).
 */
public record JobReport(String agent, JobResult result, LogLine line) implements HubEvent {
}
