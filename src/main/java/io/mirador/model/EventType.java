package io.mirador.model;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The kinds of event that cross a process boundary, each with the record its body maps to. */
public enum EventType {
  REGISTER("register", Direction.TO_HUB, AgentInfo.class),
  HEARTBEAT("heartbeat", Direction.TO_HUB, AgentInfo.class),
  METRICS("metrics", Direction.TO_HUB, MetricsBatch.class),
  CHECK("check", Direction.TO_HUB, CheckResult.class),
  LOG("log", Direction.TO_HUB, LogLine.class),
  RESULT("result", Direction.TO_HUB, JobResult.class),
  CONFIG("config", Direction.TO_AGENT, Command.class),
  JOB("job", Direction.TO_AGENT, Command.class),
  CANCEL("cancel", Direction.TO_AGENT, Command.class),
  /** An agent asking to enroll its key; handled by the channel, never stored as an event. */
  ENROLL("enroll", Direction.TO_HUB, EnrollRequest.class),
  /** The hub's answer to an accepted enrollment: its public keys. */
  ENROLLED("enrolled", Direction.TO_AGENT, Enrolled.class);

  public enum Direction { TO_HUB, TO_AGENT }

  private static final Map<String, EventType> BY_WIRE_NAME =
      Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(EventType::wireName, Function.identity()));

  private final String wireName;
  private final Direction direction;
  private final Class<? extends EventBody> bodyType;

  EventType(String wireName, Direction direction, Class<? extends EventBody> bodyType) {
    this.wireName = wireName;
    this.direction = direction;
    this.bodyType = bodyType;
  }

  public String wireName() { return wireName; }

  public Direction direction() { return direction; }

  public Class<? extends EventBody> bodyType() { return bodyType; }

  public static Optional<EventType> fromWireName(String name) {
    return Optional.ofNullable(BY_WIRE_NAME.get(name));
  }
}
