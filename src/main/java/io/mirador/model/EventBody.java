package io.mirador.model;

/** The body of an {@link Envelope}; which record it is follows from the envelope's {@link EventType}. */
public sealed interface EventBody permits AgentInfo, MetricsBatch, CheckResult, LogLine, JobResult, Command, EnrollRequest, Enrolled {

  /** Checks what Jackson cannot: ranges, names, sizes. Throws {@link InvalidEventException} with the reason. */
  void validate();
}
