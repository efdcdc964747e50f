package io.mirador.agent.exec;

import io.mirador.metrics.Meters;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs external commands for exec checks and remote jobs: with a hard timeout, bounded output, and
 * nothing left running afterwards.
 *
 * <p><b>Lifetime.</b> A command owns every process it starts. At the timeout the whole tree is killed
 * (see {@link ProcessTree}: descendants, the session the command leads under {@code setsid}, and an
 * environment cookie), SIGTERM first and SIGKILL {@value #TERM_GRACE_SECONDS} s later, and the result
 * says {@code timedOut}. When the main process exits on its own, output is read for at most
 * {@value #EXIT_DRAIN_GRACE_MS} ms more, then whatever it left behind is killed the same way, whether
 * or not it still holds stdout: a background job cannot hang the runner, and a check run every ten
 * seconds cannot pile up strays. A job that must start a long-lived service does it through the
 * service manager (systemctl), whose processes are not in the command's tree.
 *
 * <p><b>Environment.</b> The agent's environment may hold secrets (its own credentials, whatever the
 * service manager or an operator's shell exported), so commands do not inherit it: they get
 * {@code PATH} (a standard one if the agent has none), {@code HOME}, {@code LANG} and {@code TZ} from
 * the agent, then the spec's variables, then {@value ProcessTree#COOKIE_VARIABLE}. stdin is /dev/null.
 * A program given without a slash is looked up in that PATH (absolute entries only) before anything
 * is started, so a missing one is reported as "command not found: name", not thrown.
 *
 * <p><b>Concurrency.</b> {@link #run} runs each command on the runner's {@link WorkerExecutor}, never on
 * an event loop; its size bounds how many commands run at once (each also uses one short-lived thread
 * that reads its output). At most {@code maxPending} commands may be running or waiting for a thread;
 * beyond that {@link #run} answers at once with an error result ("runner busy"), counted in
 * {@code mirador_exec_rejected_total}. A command's timeout counts from its start, not from the time it
 * waited for a thread.
 */
public final class CommandRunner {

  static final long EXIT_DRAIN_GRACE_MS = 500;
  static final long TERM_GRACE_SECONDS = 2;

  private static final Logger LOG = LoggerFactory.getLogger(CommandRunner.class);
  private static final Duration EXIT_DRAIN_GRACE = Duration.ofMillis(EXIT_DRAIN_GRACE_MS);
  private static final Duration TERM_GRACE = Duration.ofSeconds(TERM_GRACE_SECONDS);
  /** Once every process of the tree is dead the pipe reports end of stream at once; this is only a bound. */
  private static final Duration END_OF_OUTPUT_GRACE = Duration.ofSeconds(1);
  private static final List<String> INHERITED = List.of("PATH", "HOME", "LANG", "TZ");
  private static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  private static final File DEV_NULL = new File("/dev/null");
  private static final String SETSID = findSetsid();

  private final WorkerExecutor executor;
  private final boolean ownsExecutor;
  private final int maxPending;
  private final AtomicInteger pending = new AtomicInteger();
  private final LongAdder rejected;
  private final LongAdder timeouts;

  /**
   * A runner on {@code executor}, which it does not close. {@code name} labels its metrics;
   * {@code maxPending} bounds the commands running or waiting for one of the executor's threads.
   */
  public CommandRunner(Vertx vertx, String name, WorkerExecutor executor, int maxPending) {
    this(vertx, name, executor, maxPending, false);
  }

  private CommandRunner(Vertx vertx, String name, WorkerExecutor executor, int maxPending, boolean ownsExecutor) {
    if (maxPending < 1) {
      throw new IllegalArgumentException("maxPending must be at least 1, got " + maxPending);
    }
    this.executor = executor;
    this.ownsExecutor = ownsExecutor;
    this.maxPending = maxPending;
    Meters meters = Meters.of(vertx);
    Map<String, String> labels = Map.of("runner", name);
    rejected = meters.counter("mirador_exec_rejected_total", "Commands refused because the runner had too many running or waiting", labels);
    timeouts = meters.counter("mirador_exec_timeouts_total", "Commands killed at their timeout", labels);
    meters.gauge("mirador_exec_pending", "Commands running or waiting for a thread", labels, pending::get);
  }

  /**
   * A runner with its own pool of {@code threads} worker threads (shared by name with any other
   * runner of that name), closed by {@link #close()}.
   */
  public static CommandRunner create(Vertx vertx, String name, int threads, int maxPending) {
    // commands legitimately block their thread for as long as their timeout: no blocked-thread warnings below a day
    WorkerExecutor executor = vertx.createSharedWorkerExecutor(name, threads, 24, TimeUnit.HOURS);
    return new CommandRunner(vertx, name, executor, maxPending, true);
  }

  /** Runs {@code spec} on a worker thread. The future fails only on a bug; a command that cannot run gives an error result. */
  public Future<CommandResult> run(CommandSpec spec) {
    if (pending.incrementAndGet() > maxPending) {
      pending.decrementAndGet();
      rejected.increment();
      return Future.succeededFuture(CommandResult.notStarted("runner busy: " + maxPending + " commands already running or waiting", Duration.ZERO));
    }
    return executor.executeBlocking(() -> runBlocking(spec), false)
        .andThen(done -> pending.decrementAndGet());
  }

  /**
   * Runs {@code spec} on the calling thread, which it blocks for up to the timeout plus the clean-up
   * (a few seconds at most). Never call it on an event loop. Interrupting the thread kills the command
   * at once and keeps the interrupt status.
   */
  public CommandResult runBlocking(CommandSpec spec) {
    return runBlocking(spec, null);
  }

  /** What a command writes, line by line as it writes it, on the threads that read its output. */
  public interface OutputListener {
    void line(boolean stderr, String line);
  }

  /**
   * {@link #runBlocking(CommandSpec)}, passing each line written to {@code listener} as it comes (stdout, and stderr
   * when the spec does not merge it, which is then read too instead of discarded; the result's output is stdout's).
   * Lines are passed before this returns.
   */
  public CommandResult runBlocking(CommandSpec spec, OutputListener listener) {
    long started = System.nanoTime();
    String cookie = UUID.randomUUID().toString();
    Map<String, String> environment = childEnvironment(System.getenv(), spec.env(), cookie);
    ProcessBuilder builder;
    try {
      builder = new ProcessBuilder(commandLine(spec, environment.get("PATH")));
    } catch (NotRunnable e) {
      return CommandResult.notStarted(e.getMessage(), since(started));
    }
    builder.environment().clear();
    builder.environment().putAll(environment);
    builder.redirectInput(Redirect.from(DEV_NULL));
    if (spec.mergeStderr()) {
      builder.redirectErrorStream(true);
    } else if (listener == null) {
      builder.redirectError(Redirect.DISCARD);
    }
    if (spec.workingDir() != null) {
      builder.directory(spec.workingDir().toFile());
    }

    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      return CommandResult.notStarted("cannot start " + spec.program() + ": " + e.getMessage(), since(started));
    }
    ProcessTree tree = ProcessTree.of(process, SETSID != null, cookie);
    OutputCapture output = null;
    OutputCapture errors = null;
    Integer exitCode = null;
    boolean timedOut = false;
    boolean interrupted = false;
    try {
      output = OutputCapture.start(process.getInputStream(), spec.maxOutputBytes(), "mirador-exec-output-" + process.pid(),
          listener == null ? null : line -> listener.line(false, line));
      if (listener != null && !spec.mergeStderr()) {
        errors = OutputCapture.start(process.getErrorStream(), 0, "mirador-exec-errors-" + process.pid(), line -> listener.line(true, line));
      }
      if (process.waitFor(nanos(spec.timeout()), TimeUnit.NANOSECONDS)) {
        exitCode = process.exitValue();
        output.awaitEnd(EXIT_DRAIN_GRACE);
      } else {
        timedOut = true;
      }
    } catch (InterruptedException e) {
      interrupted = true;
    } finally {
      // the timed-out tree, or what the command left behind, such as a background job holding stdout;
      // when we are being interrupted there is no time for SIGTERM's grace
      int killed = tree.kill(interrupted ? Duration.ZERO : TERM_GRACE);
      if (killed > 0) {
        LOG.debug("{} ({}): killed {} processes", spec.program(), timedOut ? "timed out" : "exited", killed);
      }
    }
    if (!awaitEnd(output) || (errors != null && !awaitEnd(errors))) {
      LOG.warn("output of {} is still held open by a process outside its tree; stopped reading it", spec.program());
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (timedOut) {
      timeouts.increment();
    }
    return new CommandResult(timedOut || interrupted ? null : exitCode, output.text(), output.truncated(),
        output.totalBytes(), timedOut, since(started), interrupted ? "interrupted: command killed" : null);
  }

  /** Closes the worker pool if this runner created it; commands still running are killed. */
  public Future<Void> close() {
    return ownsExecutor ? executor.close() : Future.succeededFuture();
  }

  /** The environment a command gets; see the class comment for why it is this small. */
  static Map<String, String> childEnvironment(Map<String, String> agentEnvironment, Map<String, String> specEnvironment, String cookie) {
    Map<String, String> environment = new HashMap<>();
    for (String name : INHERITED) {
      String value = agentEnvironment.get(name);
      if (value != null) {
        environment.put(name, value);
      }
    }
    environment.putIfAbsent("PATH", DEFAULT_PATH);
    environment.putAll(specEnvironment);
    environment.put(ProcessTree.COOKIE_VARIABLE, cookie);
    return environment;
  }

  private static List<String> commandLine(CommandSpec spec, String path) throws NotRunnable {
    List<String> line = new ArrayList<>();
    if (SETSID != null) {
      // --wait only matters if setsid has to fork (never for a freshly spawned child): the exit code stays ours
      line.add(SETSID);
      line.add("--wait");
    }
    if (spec.shell() != null) {
      line.addAll(List.of("/bin/sh", "-c", spec.shell()));
    } else {
      line.add(resolve(spec.argv().get(0), path, spec.workingDir()).toString());
      line.addAll(spec.argv().subList(1, spec.argv().size()));
    }
    return line;
  }

  /** Finds the program the way execvp would, so that a missing one is an error result before any fork. */
  static Path resolve(String program, String path, Path workingDir) throws NotRunnable {
    if (program.indexOf('/') >= 0) {
      Path file = Path.of(program);
      if (!file.isAbsolute()) {
        file = (workingDir != null ? workingDir : Path.of("")).toAbsolutePath().resolve(file);
      }
      if (!Files.exists(file)) {
        throw new NotRunnable("command not found: " + program);
      }
      if (Files.isDirectory(file) || !Files.isExecutable(file)) {
        throw new NotRunnable("not executable: " + program);
      }
      return file;
    }
    for (String directory : (path == null ? "" : path).split(":")) {
      // empty and relative entries mean "wherever the command runs": never searched
      if (directory.startsWith("/")) {
        Path file = Path.of(directory, program);
        if (Files.isRegularFile(file) && Files.isExecutable(file)) {
          return file;
        }
      }
    }
    throw new NotRunnable("command not found: " + program);
  }

  private static boolean awaitEnd(OutputCapture output) {
    try {
      return output.awaitEnd(END_OF_OUTPUT_GRACE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return output.ended();
    }
  }

  /** A timeout of centuries is a timeout of Long.MAX_VALUE nanoseconds, not an overflow. */
  private static long nanos(Duration timeout) {
    return timeout.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : timeout.toNanos();
  }

  private static Duration since(long startedNanos) {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }

  private static String findSetsid() {
    for (String candidate : List.of("/usr/bin/setsid", "/bin/setsid")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    LOG.warn("setsid not found: commands run in the agent's session, and a timed-out command's grandchildren"
        + " that left its tree are found only by their environment");
    return null;
  }

  /** Why a command cannot be started; becomes the result's error. */
  static final class NotRunnable extends Exception {
    NotRunnable(String message) {
      super(message, null, false, false);
    }
  }
}
