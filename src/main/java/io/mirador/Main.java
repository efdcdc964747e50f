package io.mirador;

import io.mirador.config.ConfigLoader;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar mirador.jar [standalone|hub|agent] [options]}. Parses the command line, starts the mode,
 * and stops it cleanly on SIGTERM / Ctrl-C.
 */
public final class Main {

  /** One option: its flags, the config key it sets (null for those handled here), and which modes take it. */
  private record Option(String flag, String argument, String configKey, List<String> modes, String help) {
  }

  private static final List<Option> OPTIONS = List.of(
      new Option("--conf", "FILE", null, List.of("standalone", "hub", "agent"),
          "YAML (or .json) file overriding conf/mirador.yaml; default conf/<mode>.yaml when it exists"),
      new Option("--http-host", "HOST", "http.host", List.of("standalone", "hub"), "interface for the API and dashboard (default 127.0.0.1)"),
      new Option("--http-port", "PORT", "http.port", List.of("standalone", "hub"), "port for the API and dashboard (default 8080, 0 = any)"),
      new Option("--data-dir", "DIR", "agent.dataDir", List.of("standalone", "agent"), "agent id, sequence and spool directory (default ./data)"),
      new Option("--hostname", "NAME", "agent.hostname", List.of("standalone", "agent"), "hostname the agent reports (default: this machine's)"),
      new Option("--roles", "LIST", "hub.roles", List.of("hub"), "hub roles this node runs, comma-separated (default all: "
          + io.mirador.hub.HubRole.names() + ")"),
      new Option("--enroll-token", "TOKEN", "agent.enroll.token", List.of("agent"), "enrollment token (or MIRADOR_ENROLL_TOKEN); without one an admin accepts the agent's key"),
      new Option("--rekey", null, "agent.enroll.rekey", List.of("agent"), "make a new key pair and enroll again (once; the hub needs the old key revoked or the new one accepted)"),
      new Option("--cluster", null, "cluster.enabled", List.of("hub", "agent"), "join the Hazelcast cluster of --cluster-conf"),
      new Option("--cluster-conf", "FILE", "cluster.config", List.of("hub", "agent"), "Hazelcast XML (default conf/cluster.xml)"),
      new Option("--cluster-host", "HOST", "cluster.host", List.of("hub", "agent"), "address other nodes reach this one at (default 127.0.0.1)"),
      new Option("--help", null, null, List.of("standalone", "hub", "agent"), "print this help and exit"),
      new Option("--version", null, null, List.of("standalone", "hub", "agent"), "print the version and exit"));

  private Main() {
  }

  public static void main(String[] args) {
    int exit = run(args, System.out, System.err);
    if (exit >= 0) {
      System.exit(exit);
    }
  }

  /** Returns an exit code, or -1 when Mirador is running and the JVM must stay up. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length > 0 && args[0].equals("bench")) {
      return io.mirador.bench.Bench.run(List.of(args).subList(1, args.length), out, err);
    }
    if (args.length > 0 && (args[0].equals("user") || args[0].equals("token"))) {
      return security(args[0], List.of(args).subList(1, args.length), System.in, out, err, System.getenv());
    }
    Deque<String> rest = new ArrayDeque<>(List.of(args));
    String mode = "standalone";
    if (!rest.isEmpty() && !rest.peekFirst().startsWith("-")) {
      mode = rest.pollFirst();
      if (!List.of("standalone", "hub", "agent").contains(mode)) {
        err.println("mirador: unknown command '" + mode + "'\n");
        usage(err, null);
        return 2;
      }
    }
    JsonObject commandLine = new JsonObject();
    Path conf = null;
    while (!rest.isEmpty()) {
      String arg = rest.pollFirst();
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        value = arg.substring(eq + 1);
        arg = arg.substring(0, eq);
      }
      if (arg.equals("-h") || arg.equals("--help")) {
        usage(out, mode);
        return 0;
      }
      if (arg.equals("--version")) {
        out.println("mirador " + Version.current());
        return 0;
      }
      Option option = find(arg, mode);
      if (option == null) {
        err.println("mirador " + mode + ": unknown option '" + arg + "'\n");
        usage(err, mode);
        return 2;
      }
      if (option.argument() == null) {
        ConfigLoader.set(commandLine, true, option.configKey().split("\\."));
        continue;
      }
      if (value == null) {
        value = rest.pollFirst();
      }
      if (value == null || value.isBlank()) {
        err.println("mirador " + mode + ": " + option.flag() + " needs " + option.argument());
        return 2;
      }
      if (option.flag().equals("--conf")) {
        conf = Path.of(value);
      } else if (option.flag().equals("--http-port")) {
        try {
          ConfigLoader.set(commandLine, Integer.parseInt(value), "http", "port");
        } catch (NumberFormatException e) {
          err.println("mirador " + mode + ": --http-port needs a number, got '" + value + "'");
          return 2;
        }
      } else if (option.flag().equals("--roles")) {
        ConfigLoader.set(commandLine, new io.vertx.core.json.JsonArray(List.of(value.split(","))), "hub", "roles");
      } else {
        ConfigLoader.set(commandLine, value, option.configKey().split("\\."));
      }
    }
    if (conf == null && java.nio.file.Files.isRegularFile(Path.of("conf", mode + ".yaml"))) {
      conf = Path.of("conf", mode + ".yaml");
    }
    return start(Mirador.Mode.valueOf(mode.toUpperCase(Locale.ROOT)), conf, commandLine, err);
  }

  /** {@code user ...} and {@code token ...}: see {@link io.mirador.hub.security.SecurityCli}. */
  static int security(String command, List<String> args, java.io.InputStream in, PrintStream out, PrintStream err,
                      java.util.Map<String, String> env) {
    try {
      return new io.mirador.hub.security.SecurityCli(in, out, err, env).run(command, args);
    } catch (IllegalArgumentException | IllegalStateException e) {
      err.println("mirador " + command + ": " + e.getMessage());
      return e instanceof IllegalArgumentException ? 2 : 1;
    }
  }

  private static int start(Mirador.Mode mode, Path conf, JsonObject commandLine, PrintStream err) {
    Mirador mirador;
    try {
      mirador = Mirador.start(mode, conf, System.getenv(), commandLine)
          .toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
      err.println("mirador: cannot start: " + cause.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      mirador.close().onComplete(done -> stopped.countDown());
      try {
        stopped.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "mirador-shutdown"));
    return -1;
  }

  private static String roleList() {
    StringBuilder list = new StringBuilder();
    for (io.mirador.hub.HubRole role : io.mirador.hub.HubRole.values()) {
      list.append(String.format("                 %-10s %s%n", role.roleName(), role.description()));
    }
    return list.toString().stripTrailing();
  }

  private static Option find(String flag, String mode) {
    return OPTIONS.stream().filter(o -> o.flag().equals(flag) && o.modes().contains(mode)).findFirst().orElse(null);
  }

  private static void usage(PrintStream out, String mode) {
    out.println("""
        Usage: java -jar mirador.jar [COMMAND] [OPTIONS]

        Commands:
          standalone   (default) hub and a local agent in one process, in-memory store, dashboard on
                       http://127.0.0.1:8080; needs nothing installed
          hub          a hub node: by default every role (--roles picks some):
        """ + roleList() + """
          agent        an agent monitoring this host
          bench        load generator against a running hub on RabbitMQ (bench --help lists its options)
          user         add, passwd, role, rm, list users of the hubs' store (user --help)
          token        create, list, revoke API tokens of the hubs' store (token --help)
        """);
    for (String m : mode == null ? List.of("standalone", "hub", "agent") : List.of(mode)) {
      out.println("Options of " + m + ":");
      for (Option option : OPTIONS) {
        if (option.modes().contains(m)) {
          String flag = option.argument() == null ? option.flag() : option.flag() + " " + option.argument();
          out.printf("  %-22s %s%n", flag, option.help());
        }
      }
      out.println();
    }
    out.println("""
        Environment (overrides the config file, overridden by options):
          MIRADOR_HTTP_HOST, MIRADOR_HTTP_PORT, MIRADOR_REDIS_URL, MIRADOR_AMQP_URL,
          MIRADOR_DATA_DIR, MIRADOR_AGENT_HOSTNAME, MIRADOR_JOBS_ENABLED, MIRADOR_ENROLL_TOKEN,
          MIRADOR_ADMIN_TOKEN (first start of a hub only)
        Every configuration key and its default: conf/mirador.yaml""");
  }
}
