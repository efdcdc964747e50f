package io.mirador.agent.plugin;

import static io.mirador.agent.plugin.PluginJarBuilder.collector;
import static io.mirador.agent.plugin.PluginJarBuilder.collectorSource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.agent.collect.Collector;
import io.mirador.agent.collect.CollectorContext;
import io.mirador.model.Sample;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real plugin jars, compiled and packed by the test, dropped in a folder; scans are driven by the test, and file times
 * are set explicitly, so "unchanged since the previous scan" needs no waiting.
 */
class PluginDirectoryTest {

  private static final FileTime T1 = FileTime.fromMillis(1_700_000_000_000L);
  private static final FileTime T2 = FileTime.fromMillis(1_700_000_060_000L);
  private static final Set<String> BUILT_INS = ServiceLoader.load(Collector.class).stream()
      .map(provider -> provider.get().name())
      .collect(Collectors.toUnmodifiableSet());

  @TempDir
  Path temp;

  private Path folder;
  private Path shadows;
  private PluginDirectory plugins;

  @BeforeEach
  void setUp() throws IOException {
    folder = Files.createDirectory(temp.resolve("plugins"));
    shadows = temp.resolve("shadows");
    plugins = new PluginDirectory(folder, shadows, BUILT_INS, getClass().getClassLoader());
  }

  @AfterEach
  void tearDown() {
    plugins.close();
  }

  @Test
  void aNewJarIsLoadedOnceTwoScansInARowSawItUnchanged() throws Exception {
    Path jar = collector("acme.weather.WeatherCollector", "weather", "weather.temperature", 21.5)
        .manifest("acme-weather", "1.0")
        .writeTo(folder, "weather.jar", T1);

    assertTrue(plugins.scan().isEmpty(), "first sight: the copy may still be going on");
    PluginChanges changes = plugins.scan();

    assertEquals(List.of(), changes.removed());
    assertEquals(List.of(), changes.problems());
    LoadedPlugin plugin = single(changes.added());
    assertEquals(jar, plugin.jar());
    assertEquals("acme-weather", plugin.name());
    assertEquals("1.0", plugin.version());
    assertEquals(64, plugin.sha256().length());
    Collector weather = single(plugin.collectors());
    assertEquals("weather", weather.name());
    assertEquals(10, weather.defaultIntervalSeconds());
    assertEquals(List.of(Sample.of("weather.temperature", 21.5, 42L)), weather.collect(42L));
    assertSame(getClass().getClassLoader(), plugin.classLoader().getParent());
    assertTrue(Files.isRegularFile(plugin.shadow()) && plugin.shadow().startsWith(shadows), "loaded from a private copy");

    assertTrue(plugins.scan().isEmpty());
    assertEquals(List.of(plugin), plugins.loaded());
  }

  @Test
  void aJarStillBeingCopiedInIsLeftAloneUntilItStopsChanging() throws Exception {
    byte[] bytes = collector("acme.weather.WeatherCollector", "weather", "weather.temperature", 21.5).bytes();
    Path jar = folder.resolve("weather.jar");
    Files.write(jar, Arrays.copyOf(bytes, bytes.length / 2));
    Files.setLastModifiedTime(jar, T1);
    assertTrue(plugins.scan().isEmpty());

    Files.write(jar, bytes);
    Files.setLastModifiedTime(jar, T2);
    assertTrue(plugins.scan().isEmpty(), "changed since the previous scan: not complete yet, and not a problem");

    PluginChanges changes = plugins.scan();
    assertEquals(List.of(), changes.problems());
    assertEquals("weather", single(single(changes.added()).collectors()).name());
  }

  @Test
  void aReplacedJarIsUnloadedAndItsNewVersionRunsInANewClassLoader() throws Exception {
    WeakReference<ClassLoader> oldLoader = replaceVersionOneByVersionTwoAndCloseIt();

    // the old loader is unreachable once closed and dropped; a full collection clears the reference
    for (int attempt = 0; attempt < 20 && oldLoader.get() != null; attempt++) {
      System.gc();
    }
    assertNull(oldLoader.get(), "the class loader of the replaced version is still reachable");
  }

  private WeakReference<ClassLoader> replaceVersionOneByVersionTwoAndCloseIt() throws Exception {
    String type = "acme.weather.WeatherCollector";
    collector(type, "weather", "weather.temperature", 1).manifest("acme-weather", "1").writeTo(folder, "weather.jar", T1);
    plugins.scan();
    LoadedPlugin v1 = single(plugins.scan().added());
    Collector v1Weather = single(v1.collectors());

    collector(type, "weather", "weather.temperature", 2).manifest("acme-weather", "2").writeTo(folder, "weather.jar", T2);
    assertTrue(plugins.scan().isEmpty(), "the new version is not yet known to be complete");
    assertEquals(1.0, single(v1Weather.collect(1L)).value(), "version 1 runs from its copy while the jar is replaced");

    PluginChanges changes = plugins.scan();
    assertEquals(List.of(v1), changes.removed());
    LoadedPlugin v2 = single(changes.added());
    assertEquals("2", v2.version());
    assertEquals(2.0, single(single(v2.collectors()).collect(1L)).value());
    assertNotSame(v1.classLoader(), v2.classLoader());
    assertFalse(v1.isClosed(), "closed by the caller, once it has stopped the collectors");

    v1.close();
    assertTrue(v1.isClosed());
    assertFalse(Files.exists(v1.shadow()), "its private copy is deleted");
    assertTrue(Files.exists(v2.shadow()));
    IllegalStateException unloaded = assertThrows(IllegalStateException.class, () -> v1Weather.collect(1L));
    assertTrue(unloaded.getMessage().contains("unloaded"), unloaded.getMessage());
    assertEquals(List.of(v2), plugins.loaded());
    return new WeakReference<>(v1.classLoader());
  }

  @Test
  void aJarTouchedOrCopiedAgainWithTheSameBytesIsNotReloaded() throws Exception {
    Path jar = collector("acme.weather.WeatherCollector", "weather", "weather.temperature", 21.5).writeTo(folder, "weather.jar", T1);
    plugins.scan();
    LoadedPlugin plugin = single(plugins.scan().added());

    Files.setLastModifiedTime(jar, T2);
    assertTrue(plugins.scan().isEmpty());
    assertTrue(plugins.scan().isEmpty(), "same bytes: nothing to reload");
    assertEquals(List.of(plugin), plugins.loaded());
    assertFalse(plugin.isClosed());
  }

  @Test
  void aDeletedJarIsRemovedAtTheNextScan() throws Exception {
    Path jar = collector("acme.weather.WeatherCollector", "weather", "weather.temperature", 21.5).writeTo(folder, "weather.jar", T1);
    plugins.scan();
    LoadedPlugin plugin = single(plugins.scan().added());

    Files.delete(jar);
    PluginChanges changes = plugins.scan();

    assertEquals(List.of(plugin), changes.removed());
    assertEquals(List.of(), changes.added());
    assertEquals(List.of(), plugins.loaded());
    assertEquals(21.5, single(single(plugin.collectors()).collect(1L)).value(), "runs from its copy until the caller closes it");
  }

  @Test
  void brokenJarsAreReportedOnceAndSkippedWhileTheOthersLoad() throws Exception {
    byte[] noise = new byte[4096];
    new Random(7).nextBytes(noise);
    Path corrupt = folder.resolve("corrupt.jar");
    Files.write(corrupt, noise);
    Files.setLastModifiedTime(corrupt, T1);
    new PluginJarBuilder()
        .source("acme.boom.BoomCollector", collectorSource("acme.boom.BoomCollector", "boom", "boom.value", 1,
            "throw new IllegalStateException(\"no sensor on this host\");"))
        .service("acme.boom.BoomCollector")
        .writeTo(folder, "throwing.jar", T1);
    collector("acme.weather.WeatherCollector", "weather", "weather.temperature", 21.5).writeTo(folder, "weather.jar", T1);

    plugins.scan();
    PluginChanges changes = plugins.scan();

    assertEquals("weather", single(single(changes.added()).collectors()).name());
    assertEquals(2, changes.problems().size(), changes.problems().toString());
    assertProblem(changes, "corrupt.jar: not a readable jar file");
    assertProblem(changes, "throwing.jar: collector acme.boom.BoomCollector could not be created");
    assertProblem(changes, "no sensor on this host");
    assertTrue(plugins.scan().isEmpty(), "a broken jar is tried again only when it changes");

    collector("acme.rain.RainCollector", "rain", "weather.rain", 3).writeTo(folder, "corrupt.jar", T2);
    plugins.scan();
    changes = plugins.scan();
    assertEquals(List.of(), changes.problems());
    assertEquals("rain", single(single(changes.added()).collectors()).name());
    assertEquals(2, plugins.loaded().size());
  }

  @Test
  void aJarWithoutServicesFileOrWithAMissingProviderClassIsReported() throws Exception {
    collector("acme.weather.WeatherCollector", "weather", "weather.temperature", 21.5).withoutServicesFile()
        .writeTo(folder, "noservices.jar", T1);
    new PluginJarBuilder().service("acme.gone.GoneCollector").writeTo(folder, "missing.jar", T1);

    plugins.scan();
    PluginChanges changes = plugins.scan();

    assertEquals(List.of(), changes.added());
    assertProblem(changes, "noservices.jar: declares no collector: it has no META-INF/services/io.mirador.agent.collect.Collector entry");
    assertProblem(changes, "missing.jar: ");
    assertProblem(changes, "acme.gone.GoneCollector not found");
  }

  @Test
  void aCollectorNamedLikeABuiltInIsRefused() throws Exception {
    assertTrue(BUILT_INS.contains("cpu"));
    collector("acme.cpu.MyCpuCollector", "cpu", "cpu.mine", 1).writeTo(folder, "mycpu.jar", T1);

    plugins.scan();
    PluginChanges changes = plugins.scan();

    assertEquals(List.of(), changes.added());
    assertProblem(changes, "mycpu.jar: collector acme.cpu.MyCpuCollector is named 'cpu', the name of a built-in collector");
  }

  @Test
  void aNameTakenByAnotherPluginIsRefusedUntilThatPluginGoes() throws Exception {
    Path first = collector("acme.weather.WeatherCollector", "weather", "weather.temperature", 1).writeTo(folder, "a-weather.jar", T1);
    collector("other.weather.WeatherCollector", "weather", "weather.temperature", 2).writeTo(folder, "b-weather.jar", T1);

    plugins.scan();
    PluginChanges changes = plugins.scan();
    LoadedPlugin a = single(changes.added());
    assertEquals(first, a.jar(), "in one scan, jars load in file name order");
    assertProblem(changes, "b-weather.jar: collector other.weather.WeatherCollector is named 'weather', a name already taken by plugin a-weather (a-weather.jar)");
    assertTrue(plugins.scan().isEmpty());

    Files.delete(first);
    changes = plugins.scan();
    assertEquals(List.of(a), changes.removed());
    assertEquals(2.0, single(single(single(changes.added()).collectors()).collect(1L)).value(), "the refused jar gets the name when it is free");
  }

  @Test
  void invalidNamesAndIntervalsAreRefused() throws Exception {
    collector("acme.bad.DashCollector", "disk-latency", "disk.latency", 1).writeTo(folder, "dash.jar", T1);
    collector("acme.bad.UpperCollector", "Weather", "weather.x", 1).writeTo(folder, "upper.jar", T1);
    String everyZeroSeconds = collectorSource("acme.bad.FastCollector", "fast", "fast.x", 1, "").replace("return 10;", "return 0;");
    new PluginJarBuilder().source("acme.bad.FastCollector", everyZeroSeconds).service("acme.bad.FastCollector").writeTo(folder, "fast.jar", T1);

    plugins.scan();
    PluginChanges changes = plugins.scan();

    assertEquals(List.of(), changes.added());
    assertProblem(changes, "dash.jar: collector acme.bad.DashCollector has an invalid name 'disk-latency'");
    assertProblem(changes, "upper.jar: collector acme.bad.UpperCollector has an invalid name 'Weather'");
    assertProblem(changes, "fast.jar: collector fast has defaultIntervalSeconds 0");
  }

  @Test
  void onlyProvidersDefinedInTheJarItselfAreLoaded() throws Exception {
    // a services file that also names a class of the agent: that class is the agent's, not the plugin's
    collector("acme.weather.WeatherCollector", "weather", "weather.temperature", 1)
        .service("io.mirador.agent.collect.UptimeCollector")
        .writeTo(folder, "weather.jar", T1);
    new PluginJarBuilder().service("io.mirador.agent.collect.UptimeCollector").writeTo(folder, "borrowed.jar", T1);

    plugins.scan();
    PluginChanges changes = plugins.scan();

    assertEquals(List.of("weather"), single(changes.added()).collectors().stream().map(Collector::name).toList());
    assertProblem(changes, "borrowed.jar: declares no collector of its own");
  }

  @Test
  void pluginCodeRunsWithItsOwnContextClassLoaderAndIsClosedOnUnload() throws Exception {
    String type = "acme.probe.ProbeCollector";
    String source = """
        package acme.probe;

        import io.mirador.agent.collect.Collector;
        import io.mirador.agent.collect.CollectorContext;
        import io.mirador.model.Sample;
        import java.util.List;

        public final class ProbeCollector implements Collector, AutoCloseable {
          private String tag = "";

          public String name() { return "probe"; }
          public int defaultIntervalSeconds() { return 5; }

          public void init(CollectorContext context) { tag = context.config().getString("tag", ""); }

          public List<Sample> collect(long now) {
            boolean own = Thread.currentThread().getContextClassLoader() == getClass().getClassLoader();
            return List.of(Sample.of("probe.own_context_loader", java.util.Map.of("tag", tag), own ? 1 : 0, now));
          }

          public void close() { System.setProperty("acme.probe.closed", "true"); }
        }
        """;
    new PluginJarBuilder().source(type, source).service(type).writeTo(folder, "probe.jar", T1);
    plugins.scan();
    LoadedPlugin plugin = single(plugins.scan().added());
    Collector probe = single(plugin.collectors());

    ClassLoader callers = Thread.currentThread().getContextClassLoader();
    probe.init(new CollectorContext(null, new JsonObject().put("tag", "t1")));
    Sample sample = single(probe.collect(1L));
    assertEquals(1.0, sample.value());
    assertEquals("t1", sample.tags().get("tag"));
    assertSame(callers, Thread.currentThread().getContextClassLoader(), "the caller's context loader is restored");

    try {
      plugin.close();
      assertEquals("true", System.getProperty("acme.probe.closed"));
    } finally {
      System.clearProperty("acme.probe.closed");
    }
  }

  @Test
  void closeUnloadsEveryPluginAndDeletesThePrivateCopies() throws Exception {
    Path weather = collector("acme.weather.WeatherCollector", "weather", "weather.temperature", 1).writeTo(folder, "weather.jar", T1);
    collector("acme.rain.RainCollector", "rain", "weather.rain", 1).writeTo(folder, "rain.jar", T1);
    plugins.scan();
    List<LoadedPlugin> loaded = plugins.scan().added();
    Files.delete(weather);
    LoadedPlugin removedButNotClosed = single(plugins.scan().removed());

    plugins.close();

    assertEquals(2, loaded.size());
    assertTrue(loaded.stream().allMatch(LoadedPlugin::isClosed));
    assertTrue(removedButNotClosed.isClosed());
    assertFalse(Files.exists(shadows));
    assertEquals(List.of(), plugins.loaded());
    assertThrows(IllegalStateException.class, plugins::scan);
  }

  @Test
  void aMissingFolderHoldsNoPluginsUntilItAppears() throws Exception {
    Path later = temp.resolve("later");
    try (PluginDirectory absent = new PluginDirectory(later, temp.resolve("later-shadows"), BUILT_INS, getClass().getClassLoader())) {
      assertTrue(absent.scan().isEmpty());
      Files.createDirectory(later);
      collector("acme.weather.WeatherCollector", "weather", "weather.temperature", 1).writeTo(later, "weather.jar", T1);
      assertTrue(absent.scan().isEmpty());
      assertEquals(1, absent.scan().added().size());
    }
  }

  @Test
  void filesThatAreNotJarsAreIgnored() throws Exception {
    Files.writeString(folder.resolve("README.txt"), "drop jars here");
    collector("acme.weather.WeatherCollector", "weather", "weather.temperature", 1).writeTo(folder, ".weather.jar", T1);
    Files.createDirectory(folder.resolve("old.jar"));

    plugins.scan();
    assertTrue(plugins.scan().isEmpty());
  }

  private static void assertProblem(PluginChanges changes, String expected) {
    assertTrue(changes.problems().stream().anyMatch(problem -> problem.contains(expected)),
        "no problem containing \"" + expected + "\" in " + changes.problems());
  }

  private static <T> T single(List<T> items) {
    assertEquals(1, items.size(), "expected one item in " + items);
    return items.get(0);
  }
}
