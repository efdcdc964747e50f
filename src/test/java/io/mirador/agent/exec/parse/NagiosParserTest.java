package io.mirador.agent.exec.parse;

import static io.mirador.agent.exec.parse.Fixtures.NOW;
import static io.mirador.agent.exec.parse.Fixtures.assertErrorMentions;
import static io.mirador.agent.exec.parse.Fixtures.assertNoErrors;
import static io.mirador.agent.exec.parse.Fixtures.at;
import static io.mirador.agent.exec.parse.Fixtures.errorLines;
import static io.mirador.agent.exec.parse.Fixtures.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.model.Sample;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class NagiosParserTest {

  private static final NagiosParser PARSER = new NagiosParser();
  private static final Path PLUGINS = Path.of("/usr/lib/nagios/plugins");
  private static final double KIB = 1024;

  private static Parsed parse(String output, int exitCode, String check) {
    return valid(PARSER.parse(output, exitCode, NOW, check));
  }

  /** value, then warn, crit, min, max when given (null when absent), named check.<check>.<label>[.warn…]. */
  private static List<Sample> item(String name, double value, Double warn, Double crit, Double min, Double max) {
    List<Sample> samples = new ArrayList<>(List.of(at(name, value)));
    if (warn != null) {
      samples.add(at(name + ".warn", warn));
    }
    if (crit != null) {
      samples.add(at(name + ".crit", crit));
    }
    if (min != null) {
      samples.add(at(name + ".min", min));
    }
    if (max != null) {
      samples.add(at(name + ".max", max));
    }
    return samples;
  }

  @SafeVarargs
  private static List<Sample> all(List<Sample>... items) {
    return Stream.of(items).flatMap(List::stream).toList();
  }

  private static double ms(double value) {
    return value / 1000;
  }

  /**
   * Exact outputs of Debian 12's monitoring-plugins-basic 2.3.3, captured with the command shown, with their exit
   * codes; the check name is the one a user would give.
   */
  static Stream<Arguments> realPluginOutputs() {
    return Stream.of(
        Arguments.of("check_load -w 5,4,3 -c 10,8,6", "load",
            "LOAD WARNING - total load average: 6.62, 5.03, 3.26|load1=6.620;5.000;10.000;0; load5=5.030;4.000;8.000;0; load15=3.260;3.000;6.000;0; \n",
            1, 1, "LOAD WARNING - total load average: 6.62, 5.03, 3.26",
            all(item("check.load.load1", 6.62, 5.0, 10.0, 0.0, null),
                item("check.load.load5", 5.03, 4.0, 8.0, 0.0, null),
                item("check.load.load15", 3.26, 3.0, 6.0, 0.0, null))),
        Arguments.of("check_load -r -w 5,4,3 -c 10,8,6", "load",
            "LOAD OK - scaled load average: 3.37, 2.75, 1.79 - total load average: 6.73, 5.49, 3.58|load1=6.730;;;0; scaled_load1=3.365;5.000;10.000;0; load5=5.490;;;0; scaled_load5=2.745;4.000;8.000;0; load15=3.580;;;0; scaled_load15=1.790;3.000;6.000;0; \n",
            0, 0, "LOAD OK - scaled load average: 3.37, 2.75, 1.79 - total load average: 6.73, 5.49, 3.58",
            all(item("check.load.load1", 6.73, null, null, 0.0, null),
                item("check.load.scaled_load1", 3.365, 5.0, 10.0, 0.0, null),
                item("check.load.load5", 5.49, null, null, 0.0, null),
                item("check.load.scaled_load5", 2.745, 4.0, 8.0, 0.0, null),
                item("check.load.load15", 3.58, null, null, 0.0, null),
                item("check.load.scaled_load15", 1.79, 3.0, 6.0, 0.0, null))),
        Arguments.of("check_disk -w 20% -c 10% -p /", "disk_root",
            "DISK OK - free space: / 80499MiB (77% inode=97%);| /=24534581248B;216442024755;243497277849;0;270552530944\n",
            0, 0, "DISK OK - free space: / 80499MiB (77% inode=97%);",
            item("check.disk_root.root", 24534581248.0, 216442024755.0, 243497277849.0, 0.0, 270552530944.0)),
        Arguments.of("check_disk -w 10% -c 5% -p / -p /dev/shm", "disk",
            "DISK OK - free space: / 80515MiB (77% inode=97%); /dev/shm 24104MiB (99% inode=99%);| /=24516755456B;243497277849;257024904396;0;270552530944 /dev/shm=1048576B;22748332032;24012128256;0;25275924480\n",
            0, 0, "DISK OK - free space: / 80515MiB (77% inode=97%); /dev/shm 24104MiB (99% inode=99%);",
            all(item("check.disk.root", 24516755456.0, 243497277849.0, 257024904396.0, 0.0, 270552530944.0),
                item("check.disk.dev.shm", 1048576.0, 22748332032.0, 24012128256.0, 0.0, 25275924480.0))),
        Arguments.of("check_procs -w 500 -c 1000", "procs",
            "PROCS OK: 100 processes | procs=100;500;1000;0;\n",
            0, 0, "PROCS OK: 100 processes",
            item("check.procs.procs", 100, 500.0, 1000.0, 0.0, null)),
        Arguments.of("check_users -w 5 -c 10", "users",
            "USERS OK - 0 users currently logged in |users=0;5;10;0\n",
            0, 0, "USERS OK - 0 users currently logged in",
            item("check.users.users", 0, 5.0, 10.0, 0.0, null)),
        Arguments.of("check_swap -w 20% -c 10%", "swap",
            "SWAP CRITICAL - 0% free (0MB out of 0MB) - Swap is either disabled, not present, or of zero size. |swap=0B;0;0;0;0\n",
            2, 2, "SWAP CRITICAL - 0% free (0MB out of 0MB) - Swap is either disabled, not present, or of zero size.",
            item("check.swap.swap", 0, 0.0, 0.0, 0.0, 0.0)),
        Arguments.of("check_icmp -H 127.0.0.1", "icmp",
            "OK - 127.0.0.1: rta 0.165ms, lost 0%|rta=0.165ms;200.000;500.000;0; pl=0%;40;80;; rtmax=0.791ms;;;; rtmin=0.007ms;;;; \n",
            0, 0, "OK - 127.0.0.1: rta 0.165ms, lost 0%",
            all(item("check.icmp.rta", ms(0.165), ms(200), ms(500), 0.0, null),
                item("check.icmp.pl", 0, 40.0, 80.0, null, null),
                item("check.icmp.rtmax", ms(0.791), null, null, null, null),
                item("check.icmp.rtmin", ms(0.007), null, null, null, null))),
        Arguments.of("check_ping -H 127.0.0.1 -w 100,20% -c 200,50% -p 2", "ping",
            "PING OK - Packet loss = 0%, RTA = 0.05 ms|rta=0.049000ms;100.000000;200.000000;0.000000 pl=0%;20;50;0;\n",
            0, 0, "PING OK - Packet loss = 0%, RTA = 0.05 ms",
            all(item("check.ping.rta", ms(0.049), ms(100), ms(200), 0.0, null),
                item("check.ping.pl", 0, 20.0, 50.0, 0.0, null))),
        Arguments.of("check_file_age -f /etc/passwd -w 60 -c 120", "passwd_age",
            "FILE_AGE CRITICAL: /etc/passwd is 1014 seconds old and 1650 bytes | age=1014s;60;120 size=1650B;0;0;0\n",
            2, 2, "FILE_AGE CRITICAL: /etc/passwd is 1014 seconds old and 1650 bytes",
            all(item("check.passwd_age.age", 1014, 60.0, 120.0, null, null),
                item("check.passwd_age.size", 1650, 0.0, 0.0, 0.0, null))),
        Arguments.of("check_tcp -H 127.0.0.1 -p 6379", "redis_port",
            "TCP OK - 0.000 second response time on 127.0.0.1 port 6379|time=0.000134s;;;0.000000;10.000000\n",
            0, 0, "TCP OK - 0.000 second response time on 127.0.0.1 port 6379",
            item("check.redis_port.time", 0.000134, null, null, 0.0, 10.0)),
        Arguments.of("check_tcp -H 127.0.0.1 -p 1", "closed_port",
            "connect to address 127.0.0.1 and port 1: Connection refused\n",
            2, 2, "connect to address 127.0.0.1 and port 1: Connection refused", List.of()),
        Arguments.of("check_dummy 1 hello", "dummy", "WARNING: hello\n", 1, 1, "WARNING: hello", List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("realPluginOutputs")
  void parsesRealPluginOutput(String command, String check, String output, int exitCode, int status, String text,
      List<Sample> samples) {
    Parsed parsed = parse(output, exitCode, check);
    assertNoErrors(parsed);
    assertEquals(status, parsed.status());
    assertEquals(text, parsed.output());
    assertEquals("", parsed.longOutput());
    assertEquals(samples, parsed.samples());
  }

  @ParameterizedTest(name = "exit {0} -> status {1}")
  @CsvSource({"0, 0", "1, 1", "2, 2", "3, 3", "4, 3", "-1, 3", "126, 3", "127, 3", "255, 3"})
  void statusIsTheExitCodeOrUnknown(int exitCode, int status) {
    assertEquals(status, PARSER.parse("X", exitCode, NOW, "c").status());
  }

  @Test
  void longOutputWithPerfdataOnLaterLines() {
    String output = """
        DISK WARNING - free space: /var 10 MB (5%) | '/var'=400MB;300;450;0;500
        /var has little space left
        /home is fine

        the rest is fine | 'var log'=20MB;;;0;
        'it''s'=5;;;;
        home=1.5GB
        """;
    Parsed parsed = parse(output, 1, "disk");
    assertNoErrors(parsed);
    assertEquals(1, parsed.status());
    assertEquals("DISK WARNING - free space: /var 10 MB (5%)", parsed.output());
    assertEquals("/var has little space left\n/home is fine\n\nthe rest is fine", parsed.longOutput());
    double mib = KIB * KIB;
    assertEquals(all(
        item("check.disk.var", 400 * mib, 300 * mib, 450 * mib, 0.0, 500 * mib),
        item("check.disk.var_log", 20 * mib, null, null, 0.0, null),
        item("check.disk.it_s", 5, null, null, null, null),
        item("check.disk.home", 1.5 * KIB * mib, null, null, null, null)), parsed.samples());
  }

  @Test
  void longOutputWithoutPerfdata() {
    Parsed parsed = parse("CRITICAL - 2 services down\nnginx\npostgres\n", 2, "svc");
    assertEquals("CRITICAL - 2 services down", parsed.output());
    assertEquals("nginx\npostgres", parsed.longOutput());
    assertEquals(List.of(), parsed.samples());
  }

  @Test
  void quotedLabelsWithSpacesAndQuotes() {
    Parsed parsed = parse("OK | 'Disk Usage C:\\'=12% 'a = b'=1 'it''s ''quoted'''=2 'Température'=21\n", 0, "win");
    assertNoErrors(parsed);
    assertEquals(List.of(at("check.win.disk_usage_c", 12), at("check.win.a_b", 1), at("check.win.it_s_quoted", 2),
        at("check.win.temp_rature", 21)), parsed.samples());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "t=5          | 5                     | ''",
      "t=5s         | 5                     | ''",
      "t=250ms      | 0.25                  | ''",
      "t=250us      | 0.00025               | ''",
      "t=250µs      | 0.00025               | ''",
      "t=7ns        | 0.000000007           | ''",
      "t=50%        | 50                    | ''",
      "t=10B        | 10                    | ''",
      "t=10KB       | 10240                 | ''",
      "t=10kB       | 10240                 | ''",
      "t=2KiB       | 2048                  | ''",
      "t=1.5MB      | 1572864               | ''",
      "t=2GB        | 2147483648            | ''",
      "t=1TB        | 1099511627776         | ''",
      "t=1PB        | 1125899906842624      | ''",
      "t=3c         | 3                     | c",
      "t=-20dBm     | -20                   | dBm",
      "t=1e3        | 1000                  | ''",
  })
  void unitsOfMeasurement(String perfdata, double value, String uom) {
    Parsed parsed = parse("OK | " + perfdata, 0, "u");
    assertNoErrors(parsed);
    Map<String, String> tags = uom.isEmpty() ? Map.of() : Map.of("uom", uom);
    assertEquals(1, parsed.samples().size());
    Sample sample = parsed.samples().get(0);
    assertEquals("check.u.t", sample.name());
    assertEquals(tags, sample.tags());
    assertEquals(value, sample.value(), Math.abs(value) * 1e-12);
  }

  @Test
  void unitsConvertThresholdsToo() {
    Parsed parsed = parse("OK | time=1500ms;1000;2000;0;10000 c=7c;5;9", 0, "x");
    assertNoErrors(parsed);
    assertEquals(List.of(at("check.x.time", 1.5), at("check.x.time.warn", 1.0), at("check.x.time.crit", 2.0),
        at("check.x.time.min", 0.0), at("check.x.time.max", 10.0),
        at("check.x.c", Map.of("uom", "c"), 7), at("check.x.c.warn", Map.of("uom", "c"), 5),
        at("check.x.c.crit", Map.of("uom", "c"), 9)), parsed.samples());
  }

  @Test
  void undeterminedValuesGiveNoSampleAndNoError() {
    Parsed parsed = parse("UNKNOWN | a=U;1;2 b=3;U;U;U;U c=U", 3, "x");
    assertNoErrors(parsed);
    assertEquals(List.of(at("check.x.b", 3)), parsed.samples());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "x=5;~:10;@10:20;;          | ''",
      "x=5;10:;20:30              | ''",
      "x=5;@~:-1;@:5              | ''",
      "x=5;10;20                  | warn,crit",
      "x=5;;20                    | crit",
      "x=-5;-10;-20;-30;0         | warn,crit,min,max",
      "x=5;-10:-5;~:              | ''",
  })
  void rangesAreNotNumbers(String perfdata, String thresholds) {
    Parsed parsed = parse("OK | " + perfdata, 0, "r");
    assertNoErrors(parsed);
    List<String> expected = new ArrayList<>(List.of("check.r.x"));
    if (!thresholds.isEmpty()) {
      for (String t : thresholds.split(",")) {
        expected.add("check.r.x." + t);
      }
    }
    assertEquals(expected, parsed.samples().stream().map(Sample::name).toList());
    assertEquals(perfdata.startsWith("x=-5") ? -5 : 5, parsed.samples().get(0).value());
  }

  @Test
  void malformedItemsAreErrorsAndTheRestStillParses() {
    String output = String.join("\n",
        "OK - mostly fine | good=1 noequals bad=abc comma=1,5 thr=2;abc;3 ext=4;;;x 'open=1",
        "long output line",
        "more | after=5 %%%=6 ''=7 many=8;1;2;3;4;5",
        "last=9 =10");
    Parsed parsed = parse(output, 0, "m");
    assertEquals(List.of(
        at("check.m.good", 1),
        at("check.m.thr", 2), at("check.m.thr.crit", 3),
        at("check.m.ext", 4),
        at("check.m.after", 5),
        at("check.m.many", 8), at("check.m.many.warn", 1), at("check.m.many.crit", 2), at("check.m.many.min", 3),
        at("check.m.many.max", 4),
        at("check.m.last", 9)), parsed.samples());
    assertEquals(List.of(1, 1, 1, 1, 1, 1, 3, 3, 3, 4), errorLines(parsed));
    assertErrorMentions(parsed, 1, "not label=value");
    assertErrorMentions(parsed, 1, "'abc' is not a number");
    assertErrorMentions(parsed, 1, "'1,5' is not a number");
    assertErrorMentions(parsed, 1, "warn 'abc' is neither a number nor a range");
    assertErrorMentions(parsed, 1, "min 'x' is not a number");
    assertErrorMentions(parsed, 1, "no closing quote");
    assertErrorMentions(parsed, 3, "label '%%%' has no usable character");
    assertErrorMentions(parsed, 3, "more fields than");
    assertEquals("noequals", parsed.errors().get(0).text());
    assertEquals("OK - mostly fine", parsed.output());
    assertEquals("long output line\nmore", parsed.longOutput());
  }

  @Test
  void checkNameIsCleanedAndMayBeMissing() {
    assertEquals("check.disk_root.root", parse("OK | /=1", 0, "Disk-Root").samples().get(0).name());
    assertEquals("check.web.api.time", parse("OK | time=1s", 0, "web.api").samples().get(0).name());
    assertEquals("check.time", parse("OK | time=1s", 0, null).samples().get(0).name());
  }

  @Test
  void emptyOutput() {
    Parsed parsed = parse(null, 3, "x");
    assertEquals(3, parsed.status());
    assertEquals("", parsed.output());
    assertEquals("", parsed.longOutput());
    assertNoErrors(parsed);
  }

  @Test
  void crlfLineEndings() {
    Parsed parsed = parse("OK | a=1\r\nline two\r\n", 0, "x");
    assertEquals("OK", parsed.output());
    assertEquals("line two", parsed.longOutput());
    assertEquals(List.of(at("check.x.a", 1)), parsed.samples());
  }

  @Test
  void aLongLabelKeepsRoomForTheThresholdSuffix() {
    Parsed parsed = parse("OK | " + "l".repeat(300) + "=1;2", 0, "x");
    assertNoErrors(parsed);
    assertEquals(2, parsed.samples().size());
    String base = parsed.samples().get(0).name();
    assertEquals(195, base.length());
    assertEquals(base + ".warn", parsed.samples().get(1).name());
  }

  // The plugins themselves, run for real: the labels must be what the table above expects.

  @Test
  void runsCheckLoadForReal() throws Exception {
    Parsed parsed = run("load", "check_load", "-w", "5,4,3", "-c", "10,8,6");
    assertTrue(parsed.output().startsWith("LOAD "), parsed.output());
    for (String label : List.of("load1", "load5", "load15")) {
      Sample sample = find(parsed, "check.load." + label);
      assertTrue(Double.isFinite(sample.value()) && sample.value() >= 0, sample.toString());
      assertEquals(5.0 + (label.equals("load1") ? 0 : label.equals("load5") ? -1 : -2), find(parsed, "check.load." + label + ".warn").value());
    }
  }

  @Test
  void runsCheckDiskForReal() throws Exception {
    Parsed parsed = run("disk", "check_disk", "-w", "20%", "-c", "10%", "-p", "/");
    assertTrue(parsed.output().startsWith("DISK "), parsed.output());
    Sample used = find(parsed, "check.disk.root");
    Sample max = find(parsed, "check.disk.root.max");
    assertTrue(Double.isFinite(used.value()) && used.value() >= 0 && used.value() <= max.value(), used + " " + max);
  }

  private static Parsed run(String check, String plugin, String... args) throws IOException, InterruptedException {
    Path binary = PLUGINS.resolve(plugin);
    Assumptions.assumeTrue(Files.isExecutable(binary), binary + " is not installed (apt-get install monitoring-plugins-basic)");
    List<String> command = new ArrayList<>(List.of(binary.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), plugin + " did not finish");
    Parsed parsed = parse(output, process.exitValue(), check);
    assertNoErrors(parsed);
    assertTrue(parsed.status() >= 0 && parsed.status() <= 2, "status " + parsed.status() + " for " + output);
    return parsed;
  }

  private static Sample find(Parsed parsed, String name) {
    return parsed.samples().stream().filter(s -> s.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " in " + parsed.samples()));
  }
}
