package io.mirador.agent.plugin;

import io.mirador.agent.collect.Collector;
import java.io.IOException;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One plugin jar, loaded in a class loader of its own from a private copy of the jar.
 * {@link #close} is for the caller to call once none of its collectors runs any more: it closes the collectors that
 * are {@link AutoCloseable}, then the class loader, and deletes the copy.
 */
public final class LoadedPlugin implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LoadedPlugin.class);

  /** What the loader found in the jar: a collector and the name and interval it had when checked. */
  record Found(Collector collector, String name, int intervalSeconds) {
  }

  private final Path jar;
  private final String name;
  private final String version;
  private final String sha256;
  private final Path shadow;
  private final URLClassLoader classLoader;
  private final List<PluginCollector> collectors;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Consumer<LoadedPlugin> onClose = plugin -> { };

  LoadedPlugin(Path jar, String name, String version, String sha256, Path shadow, URLClassLoader classLoader, List<Found> found) {
    this.jar = jar;
    this.name = name;
    this.version = version;
    this.sha256 = sha256;
    this.shadow = shadow;
    this.classLoader = classLoader;
    this.collectors = found.stream().map(f -> new PluginCollector(f.collector(), f.name(), f.intervalSeconds(), this)).toList();
  }

  /** The jar in the plugins folder this was loaded from (the loader reads a private copy of it). */
  public Path jar() {
    return jar;
  }

  /** {@code Implementation-Title} of the jar's manifest, else the file name without {@code .jar}. */
  public String name() {
    return name;
  }

  /** {@code Implementation-Version} of the jar's manifest, else empty. */
  public String version() {
    return version;
  }

  /** SHA-256 of the jar's bytes, in hex: which build exactly is running. */
  public String sha256() {
    return sha256;
  }

  /** The jar's collectors, in the order of its services file; not yet initialised. */
  public List<Collector> collectors() {
    return List.copyOf(collectors);
  }

  public boolean isClosed() {
    return closed.get();
  }

  /** Unloads the plugin. Call it after the agent has stopped its collectors and no collect() is in flight. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (PluginCollector collector : collectors) {
      try {
        collector.release();
      } catch (Exception | LinkageError e) {
        LOG.warn("plugin {}: collector {} failed to close: {}", this, collector.name(), e.toString());
      }
    }
    try {
      classLoader.close();
    } catch (IOException e) {
      LOG.warn("plugin {}: closing its class loader failed: {}", this, e.toString());
    }
    try {
      Files.deleteIfExists(shadow);
    } catch (IOException e) {
      LOG.warn("plugin {}: its copy {} could not be deleted: {}", this, shadow, e.toString());
    }
    onClose.accept(this);
  }

  /** Lets the directory that loaded this plugin forget it once it is closed. */
  void onClose(Consumer<LoadedPlugin> action) {
    onClose = action;
  }

  URLClassLoader classLoader() {
    return classLoader;
  }

  Path shadow() {
    return shadow;
  }

  @Override
  public String toString() {
    return (version.isEmpty() ? name : name + " " + version) + " (" + jar.getFileName() + ")";
  }
}
