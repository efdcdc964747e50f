package io.mirador.agent.plugin;

import io.mirador.agent.collect.Collector;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A folder of collector plugin jars, looked at by polling: each {@link #scan} lists the {@code *.jar} files with their
 * size and modification time and returns what changed since the previous scan.
 *
 * <ul>
 *   <li>A new or changed jar is loaded once two scans in a row saw the same size and time, so a jar still being
 *       copied in is left alone. A changed jar whose bytes are the same (touched, copied again) is not reloaded.</li>
 *   <li>A deleted jar is removed at the next scan.</li>
 *   <li>Each jar is copied to a private shadow folder and loaded from there, in a class loader of its own whose
 *       parent is the agent's: replacing or deleting the original never disturbs the loaded plugin.</li>
 *   <li>A jar that cannot be loaded is reported once in {@link PluginChanges#problems} and tried again when it
 *       changes, or, if it was refused for a name another plugin holds, when a plugin goes away.</li>
 * </ul>
 *
 * Plain blocking code (file I/O, plugin constructors): call it from a worker thread, never an event loop. Its methods
 * are synchronized, so two calls never overlap.
 */
public final class PluginDirectory implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PluginDirectory.class);

  /** What a scan sees of a jar file; two equal readings in a row make it stable. */
  private record Reading(long size, FileTime modified) {
  }

  private record Active(LoadedPlugin plugin, Reading reading) {
  }

  private record Rejected(Reading reading, boolean clashWithPlugin) {
  }

  private record Staged(Path jar, Reading reading, Path shadow, String sha256) {
  }

  private final Path folder;
  private final Path shadowDir;
  private final Set<String> builtInNames;
  private final ClassLoader parent;

  private Map<Path, Reading> previousScan = Map.of();
  private final Map<Path, Active> active = new TreeMap<>();
  private final Map<Path, Rejected> rejected = new HashMap<>();
  /** Every plugin handed out and not yet closed, so {@link #close} can close those the caller did not. */
  private final List<LoadedPlugin> open = new ArrayList<>();
  private String listingProblem;
  private long shadowCount;
  private boolean closed;

  /**
   * @param folder       where plugin jars are dropped; a missing folder holds no plugins
   * @param shadowDir    a folder for this instance alone (created when needed, deleted by {@link #close}) that
   *                     holds the private copies of the loaded jars
   * @param builtInNames names of the agent's own collectors, which no plugin may take
   * @param parent       the class loader plugins see the collector SPI and the agent's libraries through
   */
  public PluginDirectory(Path folder, Path shadowDir, Set<String> builtInNames, ClassLoader parent) {
    this.folder = folder;
    this.shadowDir = shadowDir;
    this.builtInNames = Set.copyOf(builtInNames);
    this.parent = parent;
  }

  /** The configured folder, with the private copies in a new temporary folder (readable by this user only). */
  public static PluginDirectory open(PluginConfig config, Set<String> builtInNames, ClassLoader parent) throws IOException {
    return new PluginDirectory(config.dir(), Files.createTempDirectory("mirador-plugins-"), builtInNames, parent);
  }

  public Path folder() {
    return folder;
  }

  /** Looks at the folder once and loads, reloads and drops plugins accordingly. Blocking. */
  public synchronized PluginChanges scan() {
    if (closed) {
      throw new IllegalStateException("plugin directory " + folder + " is closed");
    }
    List<String> problems = new ArrayList<>();
    Map<Path, Reading> seen = list(problems);
    if (seen == null) {
      problems.forEach(problem -> LOG.warn("plugins not scanned: {}", problem));
      return new PluginChanges(List.of(), List.of(), problems); // nothing is known to have changed: keep what is loaded
    }
    List<LoadedPlugin> removed = new ArrayList<>();
    List<LoadedPlugin> added = new ArrayList<>();

    // gone from the folder: unload
    for (Iterator<Map.Entry<Path, Active>> it = active.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Path, Active> entry = it.next();
      if (!seen.containsKey(entry.getKey())) {
        removed.add(entry.getValue().plugin());
        it.remove();
      }
    }
    rejected.keySet().retainAll(seen.keySet());

    // new or changed, and unchanged since the previous scan: copy, and load unless the bytes are those running
    List<Path> waitingForName = new ArrayList<>();
    List<Staged> staged = new ArrayList<>();
    for (Map.Entry<Path, Reading> entry : seen.entrySet()) {
      Path jar = entry.getKey();
      Reading reading = entry.getValue();
      Active current = active.get(jar);
      Rejected refused = rejected.get(jar);
      if (current != null && current.reading().equals(reading)) {
        continue;
      }
      if (refused != null && refused.reading().equals(reading)) {
        if (refused.clashWithPlugin()) {
          waitingForName.add(jar);
        }
        continue;
      }
      if (!reading.equals(previousScan.get(jar))) {
        continue; // new or still changing: wait for a scan that sees it unchanged
      }
      Staged copy = stage(jar, reading, problems);
      if (copy == null) {
        continue;
      }
      if (current != null && current.plugin().sha256().equals(copy.sha256())) {
        deleteQuietly(copy.shadow()); // same bytes, new time: nothing to reload
        active.put(jar, new Active(current.plugin(), reading));
        continue;
      }
      if (current != null) {
        removed.add(current.plugin());
        active.remove(jar);
      }
      staged.add(copy);
    }
    previousScan = seen;

    // a name freed by an unloaded plugin may be the one a refused jar wanted
    if (!removed.isEmpty()) {
      for (Path jar : waitingForName) {
        Staged copy = stage(jar, rejected.get(jar).reading(), problems);
        if (copy != null) {
          staged.add(copy);
        }
      }
      staged.sort(Comparator.comparing(Staged::jar));
    }
    for (Staged copy : staged) {
      load(copy, added, problems);
    }

    removed.forEach(plugin -> LOG.info("plugin {} unloaded", plugin));
    added.forEach(plugin -> LOG.info("plugin {} loaded: collectors {}", plugin, plugin.collectors().stream().map(Collector::name).toList()));
    problems.forEach(problem -> LOG.warn("plugin skipped: {}", problem));
    return new PluginChanges(added, removed, problems);
  }

  /** The plugins loaded now, in file name order. */
  public synchronized List<LoadedPlugin> loaded() {
    return active.values().stream().map(Active::plugin).toList();
  }

  /**
   * Unloads every plugin, including removed ones the caller has not closed, and deletes the private copies.
   * Call it after the agent has stopped the plugins' collectors.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    List.copyOf(open).forEach(LoadedPlugin::close);
    open.clear();
    active.clear();
    rejected.clear();
    try (Stream<Path> files = Files.exists(shadowDir) ? Files.walk(shadowDir) : Stream.empty()) {
      files.sorted(Comparator.reverseOrder()).forEach(PluginDirectory::deleteQuietly);
    } catch (IOException e) {
      LOG.warn("plugin copies in {} could not all be deleted: {}", shadowDir, e.toString());
    }
  }

  /** The jars in the folder by name, or null when the folder cannot be listed. */
  private Map<Path, Reading> list(List<String> problems) {
    Map<Path, Reading> jars = new LinkedHashMap<>();
    if (!Files.isDirectory(folder)) {
      listingProblem = null;
      return jars;
    }
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder, PluginDirectory::isJarName)) {
      entries.forEach(files::add);
      listingProblem = null;
    } catch (IOException e) {
      String problem = folder + ": cannot be listed: " + e;
      if (!problem.equals(listingProblem)) {
        problems.add(problem);
      }
      listingProblem = problem;
      return null;
    }
    files.sort(Comparator.naturalOrder());
    for (Path jar : files) {
      try {
        BasicFileAttributes attributes = Files.readAttributes(jar, BasicFileAttributes.class);
        if (attributes.isRegularFile()) {
          jars.put(jar, new Reading(attributes.size(), attributes.lastModifiedTime()));
        }
      } catch (IOException e) {
        // deleted since the listing: it is gone
      }
    }
    return jars;
  }

  private static boolean isJarName(Path path) {
    String name = path.getFileName().toString();
    return !name.startsWith(".") && name.toLowerCase(Locale.ROOT).endsWith(".jar");
  }

  /** The jar copied to the shadow folder, or null when it changed or went while being copied (looked at again next scan). */
  private Staged stage(Path jar, Reading reading, List<String> problems) {
    Path shadow = shadowDir.resolve(++shadowCount + "-" + jar.getFileName());
    try {
      Files.createDirectories(shadowDir);
      String sha256 = PluginJar.copy(jar, shadow);
      BasicFileAttributes after = Files.readAttributes(jar, BasicFileAttributes.class);
      if (!reading.equals(new Reading(after.size(), after.lastModifiedTime()))) {
        deleteQuietly(shadow);
        return null;
      }
      return new Staged(jar, reading, shadow, sha256);
    } catch (NoSuchFileException e) {
      deleteQuietly(shadow);
      return null;
    } catch (IOException e) {
      deleteQuietly(shadow);
      problems.add(jar.getFileName() + ": cannot be copied to " + shadowDir + ": " + e);
      rejected.put(jar, new Rejected(reading, false));
      return null;
    }
  }

  private void load(Staged copy, List<LoadedPlugin> added, List<String> problems) {
    Map<String, String> taken = new HashMap<>();
    for (Active other : active.values()) {
      other.plugin().collectors().forEach(collector -> taken.put(collector.name(), other.plugin().toString()));
    }
    try {
      LoadedPlugin plugin = PluginJar.load(copy.jar(), copy.shadow(), copy.sha256(), builtInNames, taken, parent);
      active.put(copy.jar(), new Active(plugin, copy.reading()));
      rejected.remove(copy.jar());
      open.add(plugin);
      plugin.onClose(this::forget);
      added.add(plugin);
    } catch (BadPluginException e) {
      deleteQuietly(copy.shadow());
      rejected.put(copy.jar(), new Rejected(copy.reading(), e.clashWithPlugin));
      problems.add(copy.jar().getFileName() + ": " + e.getMessage());
    }
  }

  private synchronized void forget(LoadedPlugin plugin) {
    open.remove(plugin);
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      LOG.warn("{} could not be deleted: {}", path, e.toString());
    }
  }
}
