package io.mirador.agent.plugin;

import java.util.List;

/**
 * What one {@link PluginDirectory#scan} found. A replaced jar appears in both lists: its old version in
 * {@code removed}, its new one in {@code added}. The caller stops the collectors of {@code removed} and then closes
 * those plugins, before it starts the collectors of {@code added}.
 *
 * @param problems one line per jar that was skipped, naming the file and the reason; a skipped jar is not tried
 *                 again until it changes, so each problem is reported once
 */
public record PluginChanges(List<LoadedPlugin> added, List<LoadedPlugin> removed, List<String> problems) {

  public PluginChanges {
    added = List.copyOf(added);
    removed = List.copyOf(removed);
    problems = List.copyOf(problems);
  }

  public boolean isEmpty() {
    return added.isEmpty() && removed.isEmpty() && problems.isEmpty();
  }
}
