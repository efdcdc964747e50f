package io.mirador.agent.plugin;

import io.mirador.agent.collect.Collector;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.zip.ZipException;

/** Opening one plugin jar: its private copy, its class loader, its collectors, and every check that can refuse it. */
final class PluginJar {

  static final String SERVICES = "META-INF/services/" + Collector.class.getName();
  static final Pattern NAME = Pattern.compile("[a-z0-9_]+");
  static final int MAX_NAME_LENGTH = 64;

  private PluginJar() {
  }

  /** Copies {@code jar} to {@code shadow} and returns the SHA-256 of the bytes copied, in hex. */
  static String copy(Path jar, Path shadow) throws IOException {
    MessageDigest digest = sha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(jar), digest);
         OutputStream out = Files.newOutputStream(shadow)) {
      in.transferTo(out);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /**
   * Loads the collectors of the jar copied to {@code shadow}.
   *
   * @param builtIns names of the agent's own collectors
   * @param taken    names held by other plugins, each with the file name of the jar that holds it
   */
  static LoadedPlugin load(Path jar, Path shadow, String sha256, Set<String> builtIns, Map<String, String> taken, ClassLoader parent)
      throws BadPluginException {
    Manifest manifest = readManifest(shadow);
    String fileName = jar.getFileName().toString();
    Attributes main = manifest == null ? new Attributes() : manifest.getMainAttributes();
    String name = orElse(main.getValue(Attributes.Name.IMPLEMENTATION_TITLE), fileName.substring(0, fileName.length() - ".jar".length()));
    String version = orElse(main.getValue(Attributes.Name.IMPLEMENTATION_VERSION), "");

    URLClassLoader loader = new URLClassLoader("plugin " + fileName, new URL[] {url(shadow)}, parent);
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(loader);
    try {
      List<LoadedPlugin.Found> found = collectors(loader, builtIns, taken);
      return new LoadedPlugin(jar, name, version, sha256, shadow, loader, found);
    } catch (BadPluginException e) {
      closeQuietly(loader);
      throw e;
    } catch (ServiceConfigurationError | LinkageError | RuntimeException e) {
      closeQuietly(loader);
      throw new BadPluginException(describe(e));
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  private static Manifest readManifest(Path shadow) throws BadPluginException {
    try (JarFile file = new JarFile(shadow.toFile())) {
      if (file.getEntry(SERVICES) == null) {
        throw new BadPluginException("declares no collector: it has no " + SERVICES + " entry");
      }
      return file.getManifest();
    } catch (ZipException | SecurityException e) {
      throw new BadPluginException("not a readable jar file (" + e.getMessage() + ")");
    } catch (IOException e) {
      throw new BadPluginException("cannot be read: " + e);
    }
  }

  /**
   * The jar's own providers: the services of the agent itself are visible through the parent loader too, and so is
   * a class of the agent listed by the jar; those are not the jar's and are left out.
   */
  private static List<LoadedPlugin.Found> collectors(URLClassLoader loader, Set<String> builtIns, Map<String, String> taken)
      throws BadPluginException {
    List<ServiceLoader.Provider<Collector>> providers = ServiceLoader.load(Collector.class, loader).stream()
        .filter(provider -> provider.type().getClassLoader() == loader)
        .toList();
    if (providers.isEmpty()) {
      throw new BadPluginException("declares no collector of its own in " + SERVICES);
    }
    List<LoadedPlugin.Found> found = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ServiceLoader.Provider<Collector> provider : providers) {
      String type = provider.type().getName();
      Collector collector;
      String name;
      int interval;
      try {
        collector = provider.get();
        name = collector.name();
        interval = collector.defaultIntervalSeconds();
      } catch (ServiceConfigurationError e) {
        throw new BadPluginException("collector " + type + " could not be created: " + describe(e.getCause() == null ? e : e.getCause()));
      } catch (LinkageError | RuntimeException e) {
        throw new BadPluginException("collector " + type + " could not be created: " + describe(e));
      }
      if (name == null || name.length() > MAX_NAME_LENGTH || !NAME.matcher(name).matches()) {
        throw new BadPluginException("collector " + type + " has an invalid name " + quote(name)
            + ": a name is 1 to " + MAX_NAME_LENGTH + " characters of [a-z0-9_]");
      }
      if (builtIns.contains(name)) {
        throw new BadPluginException("collector " + type + " is named '" + name + "', the name of a built-in collector");
      }
      if (taken.containsKey(name)) {
        throw new BadPluginException("collector " + type + " is named '" + name + "', a name already taken by plugin " + taken.get(name), true);
      }
      if (!names.add(name)) {
        throw new BadPluginException("two collectors are named '" + name + "'");
      }
      if (interval < 1) {
        throw new BadPluginException("collector " + name + " has defaultIntervalSeconds " + interval + ": it must be at least 1");
      }
      found.add(new LoadedPlugin.Found(collector, name, interval));
    }
    return found;
  }

  /** The message of an error and of its causes: a provider that throws in its constructor shows up as the cause. */
  private static String describe(Throwable error) {
    // a ServiceConfigurationError's message names the service and the provider already
    StringBuilder text = new StringBuilder(error instanceof ServiceConfigurationError ? error.getMessage() : error.toString());
    Throwable cause = error.getCause();
    for (int depth = 0; cause != null && depth < 4; depth++, cause = cause.getCause()) {
      text.append("; caused by ").append(cause);
    }
    return text.toString();
  }

  private static URL url(Path path) {
    try {
      return path.toUri().toURL();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  private static void closeQuietly(URLClassLoader loader) {
    try {
      loader.close();
    } catch (IOException ignored) {
      // nothing of it is in use: the jar was refused before any collector ran
    }
  }

  private static String orElse(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value.trim();
  }

  private static String quote(String name) {
    return name == null ? "null" : "'" + name + "'";
  }
}
