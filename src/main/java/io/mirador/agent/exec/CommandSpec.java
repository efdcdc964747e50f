package io.mirador.agent.exec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to run: either {@code argv} (executed as given, no shell) or {@code shell} (a script for
 * {@code /bin/sh -c}), never both.
 *
 * <p>The child's environment is {@code PATH}, {@code HOME}, {@code LANG} and {@code TZ} taken from the
 * agent, then {@code env} on top; nothing else of the agent's environment is passed on (see
 * {@link CommandRunner}). {@code workingDir} is optional (the agent's own when null). {@code timeout}
 * is required; at the deadline the command and everything it started are killed. Only the first
 * {@code maxOutputBytes} of output are kept. With {@code mergeStderr} stderr goes into the same
 * output as stdout, interleaved as written; without it stderr is discarded.
 */
public record CommandSpec(
    List<String> argv,
    String shell,
    Map<String, String> env,
    Path workingDir,
    Duration timeout,
    int maxOutputBytes,
    boolean mergeStderr) {

  public static final int DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

  public CommandSpec {
    if (argv != null && shell != null) {
      throw new IllegalArgumentException("give either argv or shell, not both");
    }
    if (argv == null && shell == null) {
      throw new IllegalArgumentException("give either argv or shell");
    }
    if (argv != null) {
      if (argv.isEmpty()) {
        throw new IllegalArgumentException("argv must not be empty");
      }
      if (argv.stream().anyMatch(Objects::isNull)) {
        throw new IllegalArgumentException("argv must not contain null");
      }
      if (argv.get(0).isBlank()) {
        throw new IllegalArgumentException("argv[0] (the program) must not be blank");
      }
      argv = List.copyOf(argv);
    }
    if (shell != null && shell.isBlank()) {
      throw new IllegalArgumentException("shell command must not be blank");
    }
    env = env == null ? Map.of() : validEnv(env);
    if (workingDir != null && !Files.isDirectory(workingDir)) {
      throw new IllegalArgumentException("working directory does not exist: " + workingDir);
    }
    if (timeout == null) {
      throw new IllegalArgumentException("timeout is required");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    if (maxOutputBytes < 0) {
      throw new IllegalArgumentException("maxOutputBytes must not be negative, got " + maxOutputBytes);
    }
  }

  /** Runs {@code argv} directly; the program is looked up in the child's PATH unless it contains a slash. */
  public static CommandSpec ofArgv(List<String> argv, Duration timeout) {
    return new CommandSpec(argv, null, Map.of(), null, timeout, DEFAULT_MAX_OUTPUT_BYTES, true);
  }

  /** Runs {@code script} with {@code /bin/sh -c}. */
  public static CommandSpec ofShell(String script, Duration timeout) {
    return new CommandSpec(null, script, Map.of(), null, timeout, DEFAULT_MAX_OUTPUT_BYTES, true);
  }

  public CommandSpec withEnv(Map<String, String> env) {
    return new CommandSpec(argv, shell, env, workingDir, timeout, maxOutputBytes, mergeStderr);
  }

  public CommandSpec withWorkingDir(Path workingDir) {
    return new CommandSpec(argv, shell, env, workingDir, timeout, maxOutputBytes, mergeStderr);
  }

  public CommandSpec withTimeout(Duration timeout) {
    return new CommandSpec(argv, shell, env, workingDir, timeout, maxOutputBytes, mergeStderr);
  }

  public CommandSpec withMaxOutputBytes(int maxOutputBytes) {
    return new CommandSpec(argv, shell, env, workingDir, timeout, maxOutputBytes, mergeStderr);
  }

  public CommandSpec withMergeStderr(boolean mergeStderr) {
    return new CommandSpec(argv, shell, env, workingDir, timeout, maxOutputBytes, mergeStderr);
  }

  /**
   * The program's name for logs and messages. Deliberately not the whole command line: arguments and
   * scripts may carry passwords.
   */
  public String program() {
    return argv != null ? argv.get(0) : "/bin/sh -c";
  }

  private static Map<String, String> validEnv(Map<String, String> env) {
    env.forEach((name, value) -> {
      if (name == null || name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("invalid environment variable name: '" + name + "'");
      }
      if (value == null || value.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("invalid value for environment variable " + name);
      }
      if (name.equals(ProcessTree.COOKIE_VARIABLE)) {
        throw new IllegalArgumentException(name + " is reserved: the runner sets it to track the command's processes");
      }
    });
    return Map.copyOf(env);
  }
}
