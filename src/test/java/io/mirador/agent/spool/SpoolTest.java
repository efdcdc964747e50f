package io.mirador.agent.spool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {

  private static final long MIB = 1024 * 1024;

  @TempDir
  Path dir;

  @Test
  void readsBackWhatWasAppendedInOrder() {
    try (Spool spool = Spool.open(dir, MIB, 64 * 1024)) {
      spool.append(records(1, 100));
      spool.append(records(101, 150));

      assertEquals(150, spool.stats().events());
      assertEquals(texts(1, 150), texts(readAll(spool)));
    }
  }

  @Test
  void aRecordLeavesOnlyWhenCommittedAndUncommittedOnesAreReadAgainAfterRewind() {
    try (Spool spool = Spool.open(dir, MIB, 1024)) {
      spool.append(records(1, 40));
      List<Spool.Record> first = spool.read(10, MIB);
      spool.commit(first.get(4).next());
      assertEquals(35, spool.stats().events(), "five committed");

      spool.rewind(); // records 6..10 were read but never confirmed
      assertEquals(texts(6, 40), texts(readAll(spool)));
      assertEquals(5, spool.stats().committed());
    }
  }

  @Test
  void survivesAReopenWithItsCursor() {
    try (Spool spool = Spool.open(dir, MIB, 1024)) {
      spool.append(records(1, 60));
      List<Spool.Record> read = spool.read(25, MIB);
      spool.commit(read.get(24).next());
    }
    try (Spool reopened = Spool.open(dir, MIB, 1024)) {
      assertEquals(35, reopened.stats().events());
      assertEquals(texts(26, 60), texts(readAll(reopened)));
      reopened.append(records(61, 70));
      assertEquals(texts(61, 70), texts(readAll(reopened)));
    }
  }

  @Test
  void isBoundedInBytesAndCountsWhatItEvictsOldestFirst() {
    long maxBytes = 8 * 1024;
    try (Spool spool = Spool.open(dir, maxBytes, 1024)) {
      int recordBytes = Spool.HEADER_BYTES + payload(1).length;
      int fitting = (int) (maxBytes / recordBytes) - 1;
      spool.append(records(1, fitting));
      assertEquals(0, spool.stats().evictedEvents(), "nothing is evicted before the bound is hit");

      spool.append(records(fitting + 1, 1_000));

      Spool.Stats stats = spool.stats();
      assertTrue(stats.bytes() <= maxBytes, "at most maxBytes on disk: " + stats);
      assertTrue(diskBytes() <= maxBytes, "the files agree: " + diskBytes());
      assertTrue(stats.evictedEvents() > 0);
      assertEquals(1_000, stats.events() + stats.evictedEvents(), "every record is either kept or counted as evicted");
      assertEquals(stats.evictedEvents() * recordBytes, stats.evictedBytes());
      // what is left is the newest, still in order
      assertEquals(texts((int) stats.evictedEvents() + 1, 1_000), texts(readAll(spool)));
    }
  }

  @Test
  void evictionOnlyCountsRecordsNotYetConfirmed() {
    try (Spool spool = Spool.open(dir, 4 * 1024, 1024)) {
      spool.append(records(1, 10));
      List<Spool.Record> read = spool.read(3, 4 * 1024);
      spool.commit(read.get(2).next()); // 1..3 confirmed, still in the oldest segment
      spool.append(records(11, 200));

      Spool.Stats stats = spool.stats();
      assertEquals(197, stats.events() + stats.evictedEvents());
      spool.rewind();
      assertEquals(texts((int) stats.evictedEvents() + 4, 200), texts(readAll(spool)));
    }
  }

  @Test
  void aTornLastRecordAfterACrashIsSkippedAndCounted() throws IOException {
    try (Spool spool = Spool.open(dir, MIB, 64 * 1024)) {
      spool.append(records(1, 5));
    }
    Path segment = segments().get(0);
    long whole = Files.size(segment);
    // a crash in the middle of an append: the header says 100 bytes, only 10 made it
    Files.write(segment, ByteBuffer.allocate(Spool.HEADER_BYTES + 10).putInt(100).putInt(12345).array(), StandardOpenOption.APPEND);

    try (Spool reopened = Spool.open(dir, MIB, 64 * 1024)) {
      assertEquals(1, reopened.stats().corruptRecords());
      assertEquals(Spool.HEADER_BYTES + 10, reopened.stats().corruptBytes());
      assertEquals(whole, Files.size(segment), "the torn tail is cut off");
      assertEquals(5, reopened.stats().events());
      reopened.append(records(6, 8));
      assertEquals(texts(1, 8), texts(readAll(reopened)), "appends continue cleanly after the cut");
    }
  }

  @Test
  void aLastRecordWithABadChecksumIsSkippedAndCounted() throws IOException {
    try (Spool spool = Spool.open(dir, MIB, 64 * 1024)) {
      spool.append(records(1, 3));
    }
    Path segment = segments().get(0);
    byte[] bytes = Files.readAllBytes(segment);
    bytes[bytes.length - 1] ^= 0x55; // the last byte of record 3, written but not as it was
    Files.write(segment, bytes);

    try (Spool reopened = Spool.open(dir, MIB, 64 * 1024)) {
      assertEquals(1, reopened.stats().corruptRecords());
      assertEquals(texts(1, 2), texts(readAll(reopened)));
    }
  }

  @Test
  void aRecordDamagedWhileOpenEndsItsSegmentAndIsCountedNotReplayedForever() throws IOException {
    try (Spool spool = Spool.open(dir, MIB, 1024)) {
      spool.append(records(1, 30));
      int recordBytes = Spool.HEADER_BYTES + payload(1).length;
      int perSegment = 1024 / recordBytes;
      Path first = segments().get(0);
      byte[] bytes = Files.readAllBytes(first);
      bytes[5 * recordBytes + Spool.HEADER_BYTES + 3] ^= 0x01; // inside record 6
      Files.write(first, bytes);

      List<String> read = texts(readAll(spool));

      List<String> expected = new ArrayList<>(texts(1, 5));
      expected.addAll(texts(perSegment + 1, 30));
      assertEquals(expected, read, "the damaged record and the rest of its segment are skipped");
      assertEquals(perSegment - 5, spool.stats().corruptRecords());
      assertEquals(30 - (perSegment - 5), spool.stats().events());
    }
  }

  @Test
  void confirmedSegmentsAreDeletedAndAnEmptySpoolStartsAfresh() throws IOException {
    try (Spool spool = Spool.open(dir, MIB, 1024)) {
      spool.append(records(1, 100));
      assertTrue(segments().size() > 3, "several segments: " + segments());
      List<Spool.Record> all = readAll(spool);
      spool.commit(all.get(all.size() - 1).next());

      assertTrue(spool.isEmpty());
      assertEquals(1, segments().size(), "only a fresh segment is left: " + segments());
      assertEquals(0, spool.stats().bytes());
      assertEquals(100, spool.stats().committed());
    }
    try (Spool reopened = Spool.open(dir, MIB, 1024)) {
      assertTrue(reopened.isEmpty(), "nothing is replayed after everything was confirmed");
    }
  }

  @Test
  void anUnreadableCursorMeansResendingNotLosing() throws IOException {
    try (Spool spool = Spool.open(dir, MIB, 64 * 1024)) {
      spool.append(records(1, 10));
      spool.commit(spool.read(4, MIB).get(3).next());
    }
    Files.writeString(dir.resolve(Spool.CURSOR), "garbage");
    try (Spool reopened = Spool.open(dir, MIB, 64 * 1024)) {
      assertEquals(texts(1, 10), texts(readAll(reopened)));
    }
  }

  private static List<byte[]> records(int from, int to) {
    return IntStream.rangeClosed(from, to).mapToObj(SpoolTest::payload).toList();
  }

  /** Same length for every number up to 99,999. */
  private static byte[] payload(int i) {
    return String.format("{\"event\":%05d,\"pad\":\"%s\"}", i, "x".repeat(40)).getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> texts(int from, int to) {
    return records(from, to).stream().map(bytes -> new String(bytes, StandardCharsets.UTF_8)).toList();
  }

  private static List<String> texts(List<Spool.Record> records) {
    return records.stream().map(record -> new String(record.payload(), StandardCharsets.UTF_8)).toList();
  }

  private static List<Spool.Record> readAll(Spool spool) {
    List<Spool.Record> all = new ArrayList<>();
    List<Spool.Record> batch;
    while (!(batch = spool.read(7, MIB)).isEmpty()) {
      all.addAll(batch);
    }
    return all;
  }

  private List<Path> segments() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(path -> path.toString().endsWith(Spool.SUFFIX)).sorted().toList();
    }
  }

  private long diskBytes() {
    try {
      long total = 0;
      for (Path segment : segments()) {
        total += Files.size(segment);
      }
      return total;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
