package io.mirador.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The agent's sequence numbers, strictly increasing across restarts: the highest number handed out is on disk
 * (written and synced) before any event carrying it leaves the agent, so a restarted agent never reuses one.
 * Numbers are never skipped, so a gap the hub counts is an event that really went missing. Blocking.
 */
public final class SequenceFile {

  static final String FILE = "seq";

  private final Path file;
  private long last;

  public SequenceFile(Path dataDir) {
    this.file = dataDir.resolve(FILE);
    this.last = read(file);
  }

  /** The last number handed out (0 for a new agent). */
  public synchronized long last() {
    return last;
  }

  /** Hands out {@code count} consecutive numbers and returns the first; persisted before it returns. */
  public synchronized long next(int count) {
    long first = last + 1;
    write(last + count);
    last += count;
    return first;
  }

  /**
   * Makes {@code value} the last number handed out, if it is higher: in memory first, so numbering never repeats
   * even when persisting fails, then on disk. The write-ahead spool numbers events, appends them, then calls this;
   * a crash between the two is repaired at start from the highest seq in the spool.
   */
  public synchronized void advanceTo(long value) {
    if (value <= last) {
      return;
    }
    last = value;
    write(value);
  }

  private void write(long value) {
    Path tmp = file.resolveSibling(FILE + ".tmp");
    try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      channel.write(ByteBuffer.wrap((value + "\n").getBytes(StandardCharsets.US_ASCII)));
      channel.force(false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot persist the sequence number in " + file, e);
    }
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot persist the sequence number in " + file, e);
    }
  }

  private static long read(Path file) {
    if (!Files.exists(file)) {
      return 0;
    }
    try {
      String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
      long value = Long.parseLong(text);
      if (value < 0) {
        throw new IllegalStateException(file + " holds a negative sequence number");
      }
      return value;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    } catch (NumberFormatException e) {
      throw new IllegalStateException(file + " holds no sequence number; refusing to restart numbering", e);
    }
  }
}
