package io.mirador.agent.exec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Reads a child's output on its own thread until end of stream, so the child never blocks on a full
 * pipe, keeping only the first {@code limit} bytes and counting the rest.
 */
final class OutputCapture implements Runnable {

  private static final int CHUNK = 64 * 1024;

  private final InputStream in;
  private final int limit;
  private final ByteArrayOutputStream kept;
  private final CountDownLatch ended = new CountDownLatch(1);
  private final java.util.function.Consumer<String> lines;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private long total;

  private OutputCapture(InputStream in, int limit, java.util.function.Consumer<String> lines) {
    this.in = in;
    this.limit = limit;
    this.kept = new ByteArrayOutputStream(Math.min(limit, 8192));
    this.lines = lines;
  }

  /** Starts reading {@code in} on a new daemon thread. */
  static OutputCapture start(InputStream in, int limit, String threadName) {
    return start(in, limit, threadName, null);
  }

  /**
   * The same, and each line as it is read goes to {@code lines} (without its newline; a line longer than
   * {@link #MAX_LINE} bytes is passed on in pieces), on the reading thread, in order.
   */
  static OutputCapture start(InputStream in, int limit, String threadName, java.util.function.Consumer<String> lines) {
    OutputCapture capture = new OutputCapture(in, limit, lines);
    Thread reader = new Thread(capture, threadName);
    reader.setDaemon(true);
    reader.start();
    return capture;
  }

  @Override
  public void run() {
    byte[] chunk = new byte[CHUNK];
    try (in) {
      int n;
      while ((n = in.read(chunk)) != -1) {
        append(chunk, n);
        split(chunk, n);
      }
    } catch (IOException closed) {
      // the stream was closed under us: what was read so far is the output
    } finally {
      if (lines != null && line.size() > 0) {
        emit();
      }
      ended.countDown();
    }
  }

  private synchronized void append(byte[] chunk, int n) {
    int room = limit - kept.size();
    if (room > 0) {
      kept.write(chunk, 0, Math.min(room, n));
    }
    total += n;
  }

  /** Longest line passed on whole to a line listener, in bytes. */
  static final int MAX_LINE = 8 * 1024;

  private void split(byte[] chunk, int n) {
    if (lines == null) {
      return;
    }
    for (int i = 0; i < n; i++) {
      byte b = chunk[i];
      if (b == '\n') {
        emit();
      } else {
        line.write(b);
        if (line.size() >= MAX_LINE) {
          emit();
        }
      }
    }
  }

  private void emit() {
    byte[] bytes = line.toByteArray();
    line.reset();
    int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
    try {
      lines.accept(new String(bytes, 0, length, StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      // a listener's failure must not stop the reading: the child would block on a full pipe
    }
  }

  /** Waits up to {@code grace} for end of stream; true when reached. */
  boolean awaitEnd(Duration grace) throws InterruptedException {
    return ended.await(grace.toNanos(), TimeUnit.NANOSECONDS);
  }

  boolean ended() {
    return ended.getCount() == 0;
  }

  synchronized long totalBytes() {
    return total;
  }

  synchronized boolean truncated() {
    return total > kept.size();
  }

  /** The kept bytes as text; a character cut in half by the limit is dropped rather than shown as U+FFFD. */
  synchronized String text() {
    byte[] bytes = kept.toByteArray();
    int length = truncated() ? completeUtf8Length(bytes, bytes.length) : bytes.length;
    return new String(bytes, 0, length, StandardCharsets.UTF_8);
  }

  /**
   * The length of {@code bytes[0, length)} without a trailing multi-byte UTF-8 sequence that is
   * incomplete. Invalid bytes are left alone: decoding replaces them.
   */
  static int completeUtf8Length(byte[] bytes, int length) {
    for (int back = 1; back <= Math.min(4, length); back++) {
      int b = bytes[length - back] & 0xff;
      if ((b & 0xc0) == 0x80) {
        continue; // continuation byte: keep looking for the lead byte
      }
      int needed = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
      return needed > back ? length - back : length;
    }
    return length;
  }
}
