package io.mirador.agent.plugin;

import io.mirador.agent.collect.Collector;
import io.mirador.model.Sample;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds a collector plugin jar the way a plugin author's build does: compiles Java sources against the agent's
 * class path with the system compiler, then packs the classes, a manifest and the services file.
 */
final class PluginJarBuilder {

  private final Map<String, String> sources = new LinkedHashMap<>();
  private final List<String> services = new ArrayList<>();
  private boolean servicesFile = true;
  private String title;
  private String version;

  /** A plugin with one collector {@code className} named {@code name} that reports {@code metric} = {@code value}. */
  static PluginJarBuilder collector(String className, String name, String metric, double value) {
    return new PluginJarBuilder().source(className, collectorSource(className, name, metric, value, "")).service(className);
  }

  /** The source of a collector like {@link #collector}; {@code constructorBody} runs in its constructor. */
  static String collectorSource(String className, String name, String metric, double value, String constructorBody) {
    int dot = className.lastIndexOf('.');
    return """
        package %s;

        import io.mirador.agent.collect.Collector;
        import io.mirador.model.Sample;
        import java.util.List;

        public final class %s implements Collector {

          public %s() {
            %s
          }

          @Override
          public String name() {
            return "%s";
          }

          @Override
          public int defaultIntervalSeconds() {
            return 10;
          }

          @Override
          public List<Sample> collect(long now) {
            return List.of(Sample.of("%s", %s, now));
          }
        }
        """.formatted(className.substring(0, dot), className.substring(dot + 1), className.substring(dot + 1), constructorBody,
        name, metric, Double.toString(value));
  }

  PluginJarBuilder source(String className, String source) {
    sources.put(className, source);
    return this;
  }

  /** A line of the services file; the class need not be in the jar. */
  PluginJarBuilder service(String className) {
    services.add(className);
    return this;
  }

  PluginJarBuilder withoutServicesFile() {
    servicesFile = false;
    return this;
  }

  PluginJarBuilder manifest(String title, String version) {
    this.title = title;
    this.version = version;
    return this;
  }

  /** Writes the jar as {@code dir/fileName} with the given modification time, as a copy into the folder would. */
  Path writeTo(Path dir, String fileName, FileTime modified) throws IOException {
    Path jar = dir.resolve(fileName);
    Files.write(jar, bytes());
    Files.setLastModifiedTime(jar, modified);
    return jar;
  }

  byte[] bytes() throws IOException {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    if (title != null) {
      manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_TITLE, title);
      manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, version);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JarOutputStream jar = new JarOutputStream(bytes, manifest)) {
      for (Map.Entry<String, byte[]> compiled : compile().entrySet()) {
        jar.putNextEntry(new JarEntry(compiled.getKey()));
        jar.write(compiled.getValue());
        jar.closeEntry();
      }
      if (servicesFile) {
        jar.putNextEntry(new JarEntry(PluginJar.SERVICES));
        jar.write(("# collectors of this plugin\n" + String.join("\n", services) + "\n").getBytes(StandardCharsets.UTF_8));
        jar.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  /** Class files by jar entry name. */
  private Map<String, byte[]> compile() throws IOException {
    Map<String, byte[]> classes = new LinkedHashMap<>();
    if (sources.isEmpty()) {
      return classes;
    }
    Path work = Files.createTempDirectory("plugin-build-");
    try {
      Path src = Files.createDirectories(work.resolve("src"));
      Path out = Files.createDirectories(work.resolve("classes"));
      List<String> arguments = new ArrayList<>(List.of("--release", "17", "-proc:none", "-d", out.toString(), "-classpath", classPath()));
      for (Map.Entry<String, String> source : sources.entrySet()) {
        Path file = src.resolve(source.getKey().replace('.', '/') + ".java");
        Files.createDirectories(file.getParent());
        Files.writeString(file, source.getValue());
        arguments.add(file.toString());
      }
      JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
      if (javac == null) {
        throw new IllegalStateException("no system Java compiler: the tests need a JDK, not a JRE");
      }
      ByteArrayOutputStream output = new ByteArrayOutputStream();
      int status = javac.run(null, output, output, arguments.toArray(String[]::new));
      if (status != 0) {
        throw new IllegalStateException("plugin sources do not compile:\n" + output.toString(StandardCharsets.UTF_8));
      }
      try (Stream<Path> files = Files.walk(out)) {
        for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
          classes.put(out.relativize(file).toString().replace(File.separatorChar, '/'), Files.readAllBytes(file));
        }
      }
      return classes;
    } finally {
      try (Stream<Path> files = Files.walk(work)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(file);
        }
      }
    }
  }

  /**
   * The test's class path, plus the folders or jars of the SPI and model classes themselves: under a test runner that
   * starts the JVM with a manifest-only jar, {@code java.class.path} may name that jar alone.
   */
  private static String classPath() {
    Set<String> entries = new LinkedHashSet<>(List.of(System.getProperty("java.class.path").split(File.pathSeparator)));
    for (Class<?> type : List.of(Collector.class, Sample.class)) {
      try {
        entries.add(Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
      } catch (URISyntaxException e) {
        throw new IllegalStateException(e);
      }
    }
    return String.join(File.pathSeparator, entries);
  }
}
