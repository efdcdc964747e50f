package io.mirador.agent.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.agent.collect.Collector;
import io.mirador.agent.collect.CollectorContext;
import io.mirador.model.Sample;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import oshi.SystemInfo;

/** The example plugin of docs/PLUGINS.md, compiled from the page, packed with its services file, loaded and run on this host. */
class DocumentedPluginTest {

  private static final Path PAGE = Path.of("docs", "PLUGINS.md");
  private static final Pattern FENCE = Pattern.compile("(?m)^```(\\w*)\\n(.*?)^```", Pattern.DOTALL);

  @TempDir
  Path temp;

  @Test
  void theExamplePluginBuildsLoadsAndCollects() throws Exception {
    List<String[]> blocks = fencedBlocks(Files.readString(PAGE));
    String source = blocks.stream().filter(block -> block[0].equals("java")).findFirst().orElseThrow()[1];
    String className = className(source);
    assertTrue(blocks.stream().anyMatch(block -> block[0].isEmpty() && block[1].strip().equals(className)),
        "the page shows the services file naming " + className);

    Path folder = Files.createDirectory(temp.resolve("plugins"));
    new PluginJarBuilder().source(className, source).service(className).manifest("openfiles", "1.0")
        .writeTo(folder, "openfiles-1.0.jar", FileTime.fromMillis(1_700_000_000_000L));
    try (PluginDirectory plugins = new PluginDirectory(folder, temp.resolve("shadows"), Set.of("cpu"), getClass().getClassLoader())) {
      plugins.scan();
      PluginChanges changes = plugins.scan();
      assertEquals(List.of(), changes.problems());
      Collector openFiles = changes.added().get(0).collectors().get(0);
      assertEquals("openfiles", openFiles.name());

      openFiles.init(new CollectorContext(new SystemInfo(), new JsonObject()));
      List<Sample> samples = openFiles.collect(System.currentTimeMillis());
      assertFalse(samples.isEmpty(), "Linux tells OSHI its open and maximum file descriptors");
      assertTrue(samples.stream().map(Sample::name).allMatch(name -> name.equals("files.open") || name.equals("files.max")), samples.toString());
      assertTrue(samples.stream().allMatch(sample -> sample.value() >= 0), samples.toString());
    }
  }

  private static List<String[]> fencedBlocks(String page) {
    List<String[]> blocks = new ArrayList<>();
    Matcher fence = FENCE.matcher(page);
    while (fence.find()) {
      blocks.add(new String[] {fence.group(1), fence.group(2)});
    }
    return blocks;
  }

  private static String className(String source) {
    Matcher pkg = Pattern.compile("(?m)^package ([\\w.]+);").matcher(source);
    Matcher type = Pattern.compile("(?m)^public final class (\\w+)").matcher(source);
    assertTrue(pkg.find() && type.find(), "the example declares a package and a public class");
    return pkg.group(1) + "." + type.group(1);
  }
}
