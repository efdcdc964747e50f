package io.mirador.agent.exec;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Everything one command started, found three ways so that nothing escapes the kill:
 * <ol>
 *   <li>the main process and its descendants ({@link ProcessHandle#descendants()}), captured before
 *       any signal is sent, while the parent links still exist;
 *   <li>its session: the main process runs under {@code setsid}, so it leads a new session and process
 *       group, and every process it forks stays in that session unless it calls setsid itself; a
 *       double-forked grandchild re-parented to init is no longer a descendant but is still a member;
 *   <li>its cookie: a unique {@value #COOKIE_VARIABLE} in the child's environment, inherited by every
 *       process below it, found in {@code /proc/<pid>/environ}; this catches daemons that left the
 *       session with setsid (the technique of Jenkins' ProcessTreeKiller).
 * </ol>
 * Only a process that both leaves the session and clears its environment, or changes user, escapes.
 * The session and cookie searches need Linux's /proc; elsewhere only the descendants are found.
 *
 * <p>Killing sends SIGTERM to all of them at once, waits a grace period for them to exit, then sends
 * SIGKILL to what is left, searching again each round for processes forked in between. Members are
 * signalled one by one rather than with {@code kill -- -pgid}: Java has no killpg, spawning kill(1)
 * would be one more process to supervise, and the session also holds the processes a job-control
 * shell moved into process groups of their own. Signals go through {@link ProcessHandle}, which checks
 * the start time, so a recycled pid is never hit.
 *
 * <p>Cost: a search reads /proc/&lt;pid&gt;/stat of every process on the host, and the environ of those
 * started after the command, about 3 ms of CPU for a hundred processes. It runs once after every
 * command and every 20 ms while a kill waits.
 */
final class ProcessTree {

  static final String COOKIE_VARIABLE = "MIRADOR_EXEC_ID";

  private static final Path PROC = Path.of("/proc");
  private static final long POLL_MS = 20;
  private static final int KILL_ROUNDS = 25;
  private static final long SELF = ProcessHandle.current().pid();
  private static final boolean HAS_PROC = Files.isDirectory(PROC.resolve("self"));

  private final Process main;
  private final long sessionId;
  private final String cookieEntry;
  private final long notBefore;

  private ProcessTree(Process main, long sessionId, String cookie, long notBefore) {
    this.main = main;
    this.sessionId = sessionId;
    this.cookieEntry = COOKIE_VARIABLE + "=" + cookie;
    this.notBefore = notBefore;
  }

  /**
   * The tree below {@code main}, just started with {@code cookie} in its environment; {@code ownSession}
   * tells whether it was started under setsid.
   */
  static ProcessTree of(Process main, boolean ownSession, String cookie) {
    // nothing started before the main process can belong to it: this bound spares reading most environs
    ProcStat stat = ProcStat.read(main.pid());
    return new ProcessTree(main, ownSession ? main.pid() : -1, cookie, stat == null ? 0 : stat.startTicks());
  }

  /**
   * Kills every process of the tree, SIGTERM first and SIGKILL after {@code termGrace}. Returns how
   * many processes were signalled; 0 when none was left. Does not throw: when interrupted it goes
   * straight to SIGKILL and keeps the thread's interrupt status.
   */
  int kill(Duration termGrace) {
    Map<Long, Member> members = new LinkedHashMap<>();
    if (main.isAlive()) {
      add(members, main.pid());
      main.descendants().forEach(handle -> add(members, handle.pid()));
    }
    scan(members);
    if (members.isEmpty()) {
      return 0;
    }
    members.values().forEach(Member::terminate);
    int signalled = members.size();

    boolean interrupted = false;
    long deadline = System.nanoTime() + termGrace.toNanos();
    while (true) {
      members.values().removeIf(member -> !member.alive());
      int before = members.size();
      scan(members);
      // forked after the first round: they get the same treatment
      members.values().stream().skip(before).forEach(Member::terminate);
      signalled += members.size() - before;
      if (members.isEmpty() || System.nanoTime() >= deadline) {
        break;
      }
      if (!pause()) {
        interrupted = true;
        break;
      }
    }
    for (int round = 0; round < KILL_ROUNDS && !members.isEmpty(); round++) {
      members.values().forEach(Member::kill);
      if (!pause()) {
        interrupted = true;
      }
      members.values().removeIf(member -> !member.alive());
      int known = members.size();
      scan(members);
      signalled += members.size() - known;
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return signalled;
  }

  /** Processes can only be waited for by their parent; for the others there is nothing but polling. */
  private static boolean pause() {
    try {
      TimeUnit.MILLISECONDS.sleep(POLL_MS);
      return true;
    } catch (InterruptedException e) {
      return false;
    }
  }

  private void scan(Map<Long, Member> members) {
    String[] entries = HAS_PROC ? PROC.toFile().list() : null;
    if (entries == null) {
      return; // no /proc: the descendants are all we can find
    }
    for (String entry : entries) {
      long pid = pidOf(entry);
      if (pid <= 0 || pid == SELF || members.containsKey(pid)) {
        continue;
      }
      ProcStat stat = ProcStat.read(pid);
      if (stat != null && stat.alive() && stat.startTicks() >= notBefore && belongs(pid, stat)) {
        add(members, pid);
      }
    }
  }

  private boolean belongs(long pid, ProcStat stat) {
    String environ = environ(pid);
    if (environ.isEmpty()) {
      // another user's process (unreadable) or a kernel thread; a member of our session still counts
      return stat.session() == sessionId;
    }
    boolean ours = false;
    boolean foreign = false;
    for (String variable : environ.split("\0")) {
      if (variable.equals(cookieEntry)) {
        ours = true;
      } else if (variable.startsWith(COOKIE_VARIABLE + "=")) {
        foreign = true;
      }
    }
    // a foreign cookie in "our" session means the session id was a recycled pid: not ours
    return ours || (stat.session() == sessionId && !foreign);
  }

  private static String environ(long pid) {
    try {
      return new String(Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("environ")), StandardCharsets.ISO_8859_1);
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  private static void add(Map<Long, Member> members, long pid) {
    if (pid == SELF || members.containsKey(pid)) {
      return;
    }
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    if (handle.isEmpty()) {
      return;
    }
    ProcStat stat = ProcStat.read(pid);
    if (stat != null && !stat.alive()) {
      return;
    }
    members.put(pid, new Member(handle.get(), stat == null ? -1 : stat.startTicks()));
  }

  private static long pidOf(String name) {
    for (int i = 0; i < name.length(); i++) {
      if (!Character.isDigit(name.charAt(i))) {
        return -1;
      }
    }
    return name.isEmpty() || name.length() > 18 ? -1 : Long.parseLong(name);
  }

  /** One process to kill; the handle refuses to signal a recycled pid (it checks the start time). */
  private record Member(ProcessHandle handle, long startTicks) {

    void terminate() {
      handle.destroy();
    }

    void kill() {
      handle.destroyForcibly();
    }

    /** A zombie counts as gone: it holds nothing open and only its parent can remove it. */
    boolean alive() {
      if (startTicks < 0) {
        return handle.isAlive();
      }
      ProcStat stat = ProcStat.read(handle.pid());
      return stat != null && stat.alive() && stat.startTicks() == startTicks;
    }
  }

  /** The fields of /proc/&lt;pid&gt;/stat we need. */
  record ProcStat(char state, long session, long startTicks) {

    boolean alive() {
      return state != 'Z' && state != 'X' && state != 'x';
    }

    static ProcStat read(long pid) {
      // one read(2) into a small buffer: this runs for every process on the host at each sweep
      byte[] buffer = new byte[1024];
      int length;
      try (FileInputStream in = new FileInputStream("/proc/" + pid + "/stat")) {
        length = in.read(buffer);
      } catch (IOException e) {
        return null;
      }
      try {
        String text = new String(buffer, 0, Math.max(length, 0), StandardCharsets.ISO_8859_1);
        // "pid (comm) state ppid pgrp session ..."; comm may itself hold spaces and parentheses
        String[] fields = text.substring(text.lastIndexOf(')') + 2).trim().split(" ");
        return new ProcStat(fields[0].charAt(0), Long.parseLong(fields[3]), Long.parseLong(fields[19]));
      } catch (RuntimeException e) {
        return null;
      }
    }
  }
}
