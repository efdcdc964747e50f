package io.mirador.hub.checks;

import java.util.List;

/**
 * What the hub remembers of one check on one agent besides its latest result.
 *
 * @param statuses the last {@link CheckStore#CHECK_HISTORY} statuses, oldest first
 * @param flapping whether the check is flapping, as last judged (see {@link Flapping})
 */
public record CheckHistory(List<Integer> statuses, boolean flapping) {

  public CheckHistory {
    statuses = statuses == null ? List.of() : List.copyOf(statuses);
  }
}
