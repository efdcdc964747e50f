package io.mirador.agent.plugin;

import io.mirador.agent.collect.Collector;
import io.mirador.agent.collect.CollectorContext;
import io.mirador.model.Sample;
import java.util.List;

/**
 * A collector from a plugin jar as the agent sees it: its name and interval as checked at load time (a plugin cannot
 * change them later), the plugin's class loader as the thread's context class loader while its code runs, and a clear
 * error instead of a {@link NoClassDefFoundError} if it is called after its plugin was unloaded.
 */
final class PluginCollector implements Collector {

  private final Collector delegate;
  private final String name;
  private final int intervalSeconds;
  private final LoadedPlugin plugin;

  PluginCollector(Collector delegate, String name, int intervalSeconds, LoadedPlugin plugin) {
    this.delegate = delegate;
    this.name = name;
    this.intervalSeconds = intervalSeconds;
    this.plugin = plugin;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int defaultIntervalSeconds() {
    return intervalSeconds;
  }

  @Override
  public void init(CollectorContext context) throws Exception {
    checkLoaded();
    ClassLoader previous = enter();
    try {
      delegate.init(context);
    } finally {
      Thread.currentThread().setContextClassLoader(previous);
    }
  }

  @Override
  public List<Sample> collect(long now) throws Exception {
    checkLoaded();
    ClassLoader previous = enter();
    try {
      return delegate.collect(now);
    } finally {
      Thread.currentThread().setContextClassLoader(previous);
    }
  }

  /** Called by {@link LoadedPlugin#close} for a collector that implements {@link AutoCloseable}. */
  void release() throws Exception {
    if (delegate instanceof AutoCloseable closeable) {
      ClassLoader previous = enter();
      try {
        closeable.close();
      } finally {
        Thread.currentThread().setContextClassLoader(previous);
      }
    }
  }

  private ClassLoader enter() {
    ClassLoader previous = Thread.currentThread().getContextClassLoader();
    Thread.currentThread().setContextClassLoader(plugin.classLoader());
    return previous;
  }

  private void checkLoaded() {
    if (plugin.isClosed()) {
      throw new IllegalStateException("collector " + name + " belongs to plugin " + plugin + ", which was unloaded");
    }
  }

  @Override
  public String toString() {
    return name + " (" + plugin + ")";
  }
}
