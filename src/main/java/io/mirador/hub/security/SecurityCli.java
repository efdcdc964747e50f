package io.mirador.hub.security;

import io.mirador.config.ConfigLoader;
import io.mirador.metrics.Meters;
import io.mirador.store.Stores;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code mirador user add|passwd|rm} and {@code mirador token create|list|revoke}: users and tokens managed on the host,
 * straight in the configured store (Redis, as the hubs use it), recorded in the audit log as {@code cli}. Passwords
 * are read from the terminal without echo, or from the first line of standard input with {@code --password-stdin};
 * never from the command line, where {@code ps} would show them.
 */
public final class SecurityCli {

  private final InputStream in;
  private final PrintStream out;
  private final PrintStream err;
  private final Map<String, String> env;

  public SecurityCli(InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
    this.in = in;
    this.out = out;
    this.err = err;
    this.env = env;
  }

  public static final String USAGE = """
      Usage: java -jar mirador.jar user add NAME --role ROLE [--password-stdin] [--conf FILE]
             java -jar mirador.jar user passwd NAME [--password-stdin] [--conf FILE]
             java -jar mirador.jar user role NAME ROLE [--conf FILE]
             java -jar mirador.jar user rm NAME [--conf FILE]
             java -jar mirador.jar user list [--conf FILE]
             java -jar mirador.jar token create --role ROLE [--name TEXT] [--conf FILE]
             java -jar mirador.jar token list [--conf FILE]
             java -jar mirador.jar token revoke ID [--conf FILE]

      Users, API tokens and roles (viewer, operator, admin) in the store the hubs use (store.* of --conf, default
      conf/hub.yaml, and MIRADOR_REDIS_URL); see docs/SECURITY.md. A password is asked for on the terminal, or read from
      the first line of standard input with --password-stdin. A new token is printed once, on standard output.""";

  /** Runs {@code args} (after {@code user} or {@code token}); returns the exit code. */
  public int run(String command, List<String> args) {
    Deque<String> rest = new ArrayDeque<>(args);
    if (rest.isEmpty() || rest.contains("--help") || rest.contains("-h")) {
      (rest.isEmpty() ? err : out).println(USAGE);
      return rest.isEmpty() ? 2 : 0;
    }
    String verb = rest.pollFirst();
    Path conf = null;
    String role = null;
    String name = null;
    boolean passwordStdin = false;
    Deque<String> positional = new ArrayDeque<>();
    while (!rest.isEmpty()) {
      String arg = rest.pollFirst();
      switch (arg) {
        case "--conf" -> conf = Path.of(need(rest, arg));
        case "--role" -> role = need(rest, arg);
        case "--name" -> name = need(rest, arg);
        case "--password-stdin" -> passwordStdin = true;
        default -> {
          if (arg.startsWith("-")) {
            throw new IllegalArgumentException("unknown option '" + arg + "'");
          }
          positional.add(arg);
        }
      }
    }
    if (conf == null && Files.isRegularFile(Path.of("conf", "hub.yaml"))) {
      conf = Path.of("conf", "hub.yaml");
    }
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject config = await(ConfigLoader.load(vertx, conf, env, new JsonObject()));
      JsonObject storeConfig = config.getJsonObject("store", new JsonObject());
      if (!"redis".equals(storeConfig.getString("type", "memory"))) {
        throw new IllegalArgumentException("the configured store is in memory (a standalone keeps its users in its own"
            + " process): give --conf with store.type redis, or use the running hub's API (/api/v1/users, /api/v1/tokens)");
      }
      Stores stores = Stores.open(vertx, storeConfig);
      try {
        Audit audit = new Audit(stores.audit(), Meters.of(vertx));
        Principal cli = new Principal("cli:" + System.getProperty("user.name", "?"), "cli", Role.ADMIN);
        return switch (command + " " + verb) {
          case "user add" -> addUser(vertx, stores.security(), audit, cli, one(positional, "NAME"), parseRole(role), passwordStdin);
          case "user passwd" -> passwd(vertx, stores.security(), audit, cli, one(positional, "NAME"), passwordStdin);
          case "user role" -> changeRole(vertx, stores.security(), audit, cli, positional);
          case "user rm" -> removeUser(stores.security(), audit, cli, one(positional, "NAME"));
          case "user list" -> listUsers(stores.security());
          case "token create" -> createToken(stores.security(), audit, cli, parseRole(role), name);
          case "token list" -> listTokens(stores.security());
          case "token revoke" -> revoke(stores.security(), audit, cli, one(positional, "ID"));
          default -> throw new IllegalArgumentException("unknown command '" + command + " " + verb + "'\n" + USAGE);
        };
      } finally {
        await(stores.backend().close());
      }
    } finally {
      await(vertx.close());
    }
  }

  private int addUser(Vertx vertx, SecurityStore store, Audit audit, Principal cli, String user, Role role, boolean stdin) {
    check(User.nameProblem(user));
    if (await(store.user(user)).isPresent()) {
      throw new IllegalArgumentException("a user named " + user + " exists; `user passwd` changes its password");
    }
    String password = password(stdin, "Password for " + user + ": ");
    await(Users.change(vertx, store, user, password, role));
    await(audit.record(cli, "user.create", user, "cli"));
    out.println("user " + user + " added (" + role.wireName() + ")");
    return 0;
  }

  private int passwd(Vertx vertx, SecurityStore store, Audit audit, Principal cli, String user, boolean stdin) {
    if (await(store.user(user)).isEmpty()) {
      throw new IllegalArgumentException("no user named " + user);
    }
    String password = password(stdin, "New password for " + user + ": ");
    await(Users.change(vertx, store, user, password, null));
    await(audit.record(cli, "user.passwd", user, "cli"));
    out.println("password of " + user + " changed; their sessions are ended");
    return 0;
  }

  private int changeRole(Vertx vertx, SecurityStore store, Audit audit, Principal cli, Deque<String> positional) {
    if (positional.size() != 2) {
      throw new IllegalArgumentException("user role takes NAME and ROLE");
    }
    String user = positional.pollFirst();
    Role role = parseRole(positional.pollFirst());
    if (await(store.user(user)).isEmpty()) {
      throw new IllegalArgumentException("no user named " + user);
    }
    await(Users.change(vertx, store, user, null, role));
    await(audit.record(cli, "user.role", user, "cli"));
    out.println("user " + user + " is now " + role.wireName());
    return 0;
  }

  private int removeUser(SecurityStore store, Audit audit, Principal cli, String user) {
    if (!await(store.removeUser(user))) {
      throw new IllegalArgumentException("no user named " + user);
    }
    await(audit.record(cli, "user.remove", user, "cli"));
    out.println("user " + user + " removed");
    return 0;
  }

  private int listUsers(SecurityStore store) {
    for (User user : await(store.users())) {
      out.printf("%-24s %-8s created %s%n", user.name(), user.role().wireName(), Instant.ofEpochMilli(user.createdAt()));
    }
    return 0;
  }

  private int createToken(SecurityStore store, Audit audit, Principal cli, Role role, String name) {
    String secret = Credentials.newToken();
    ApiToken token = ApiToken.issue(secret, name == null ? "" : name, role, cli.name(), System.currentTimeMillis());
    await(store.putToken(token));
    await(audit.record(cli, "token.create", token.id(), "cli"));
    err.println("token " + token.id() + " (" + role.wireName() + ") created; it is shown once, here:");
    out.println(secret);
    return 0;
  }

  private int listTokens(SecurityStore store) {
    for (ApiToken token : await(store.tokens())) {
      out.printf("%-14s %-8s %-30s created %s by %s%n", token.id(), token.role().wireName(), token.name(),
          Instant.ofEpochMilli(token.createdAt()), token.createdBy());
    }
    return 0;
  }

  private int revoke(SecurityStore store, Audit audit, Principal cli, String id) {
    if (!await(store.revokeToken(id))) {
      throw new IllegalArgumentException("no token with id " + id);
    }
    await(audit.record(cli, "token.revoke", id, "cli"));
    out.println("token " + id + " revoked");
    return 0;
  }

  private String password(boolean stdin, String prompt) {
    String password;
    Console console = System.console();
    if (!stdin && console != null) {
      char[] typed = console.readPassword(prompt);
      char[] again = console.readPassword("Again: ");
      if (typed == null || again == null || !new String(typed).equals(new String(again))) {
        throw new IllegalArgumentException("the two passwords differ");
      }
      password = new String(typed);
    } else {
      try {
        password = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read the password from standard input: " + e.getMessage());
      }
      if (password == null) {
        throw new IllegalArgumentException("no password on standard input");
      }
    }
    check(Credentials.passwordProblem(password));
    return password;
  }

  private static Role parseRole(String role) {
    if (role == null) {
      throw new IllegalArgumentException("--role viewer|operator|admin is required");
    }
    return Role.parse(role);
  }

  private static String one(Deque<String> positional, String what) {
    if (positional.size() != 1) {
      throw new IllegalArgumentException("expected one " + what + ", got " + positional.size() + " arguments");
    }
    return positional.peekFirst();
  }

  private static String need(Deque<String> rest, String option) {
    String value = rest.pollFirst();
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return value;
  }

  private static void check(String problem) {
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof RuntimeException runtime ? runtime : new IllegalStateException(String.valueOf(cause.getMessage()), cause);
    } catch (Exception e) {
      throw new IllegalStateException("the store did not answer: " + e, e);
    }
  }
}
