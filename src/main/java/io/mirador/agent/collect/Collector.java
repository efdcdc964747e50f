package io.mirador.agent.collect;

import io.mirador.model.Sample;
import java.util.List;

/**
 * A source of samples on the agent's host. Built-in collectors and plugins register through
 * {@link java.util.ServiceLoader} ({@code META-INF/services/io.mirador.agent.collect.Collector}).
 * {@link #collect} runs on a worker thread, never on an event loop, and never twice at once for one instance,
 * so a collector may keep state between calls (previous counters for rates).
 */
public interface Collector {

  /** Short lower-case name, used in config ({@code agent.collectors.<name>}) and in self-metrics. */
  String name();

  /** Seconds between two collections unless configured otherwise. */
  int defaultIntervalSeconds();

  /** Called once before the first {@link #collect}, on a worker thread. */
  default void init(CollectorContext context) throws Exception {
  }

  /** Reads the host and returns samples stamped {@code now} (epoch ms); an empty list when there is nothing yet. */
  List<Sample> collect(long now) throws Exception;
}
