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
  private long total;

  private OutputCapture(InputStream in, int limit) {
    this.in = in;
    this.limit = limit;
    this.kept = new ByteArrayOutputStream(Math.min(limit, 8192));
  }

  /** Starts reading {@code in} on a new daemon thread. */
  static OutputCapture start(InputStream in, int limit, String threadName) {
    OutputCapture capture = new OutputCapture(in, limit);
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
      }
    } catch (IOException closed) {
      // the stream was closed under us: what was read so far is the output
    } finally {
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
