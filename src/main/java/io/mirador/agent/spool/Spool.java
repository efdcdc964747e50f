package io.mirador.agent.spool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's disk spool: encoded events the broker has not confirmed, kept in order across restarts, bounded
 * in bytes.
 *
 * <p>On disk, in its own directory: segment files {@code <20-digit number>.seg}, each a run of records
 * {@code [int length][int CRC-32C of the payload][payload]} (big-endian), appended to the newest segment only and
 * forced to disk after every {@link #append}; and {@code cursor}, the position of the oldest record not yet
 * confirmed ({@code <segment> <offset>}), replaced atomically by {@link #commit}. Reading goes ahead of the
 * cursor; a record leaves the spool only when a commit passes it, so a crash or a failed replay sends it again
 * (the hub dedups by seq).
 *
 * <p>Bounded: when an append would take the spool past {@code maxBytes}, whole segments are deleted oldest
 * first, and the records they held that were not yet confirmed are counted as evicted (events and bytes). Nothing
 * is evicted before the bound is hit.
 *
 * <p>A crash can leave the last record of a segment torn (short, or with a CRC that does not match): opening
 * detects it, cuts the segment there, and counts the skipped record and bytes as corrupt.
 *
 * <p>Blocking file I/O: call it from a worker, never from an event loop. Methods are synchronized, so one
 * instance may be used from any thread; {@link #stats()} is lock-free.
 */
public final class Spool implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Spool.class);
  static final int HEADER_BYTES = 8;
  static final String SUFFIX = ".seg";
  static final String CURSOR = "cursor";
  /** No envelope comes near it; a length beyond it can only be garbage. */
  static final int MAX_RECORD_BYTES = 64 * 1024 * 1024;

  /** Where a record starts: segment number, byte offset in it, and its ordinal (records before it in that segment). */
  public record Position(long segment, long offset, long ordinal) implements Comparable<Position> {
    @Override
    public int compareTo(Position other) {
      int bySegment = Long.compare(segment, other.segment);
      return bySegment != 0 ? bySegment : Long.compare(offset, other.offset);
    }
  }

  /** One record read back: its payload and the position right after it, which is what a commit takes. */
  public record Record(byte[] payload, Position next) {
  }

  /**
   * @param events         records not yet confirmed
   * @param bytes          disk space the segments take now
   * @param appended       records appended since this spool was opened
   * @param committed      records confirmed (committed) since it was opened
   * @param evictedEvents  unconfirmed records deleted because the spool was full, since it was opened
   * @param evictedBytes   their bytes
   * @param corruptRecords torn or damaged records skipped (found when opening, or when reading back)
   * @param corruptBytes   bytes cut off with them
   */
  public record Stats(long events, long bytes, long appended, long committed, long evictedEvents, long evictedBytes,
                      long corruptRecords, long corruptBytes) {
  }

  private final Path dir;
  private final long maxBytes;
  private final long segmentBytes;
  private final Deque<Segment> segments = new ArrayDeque<>();
  private FileChannel active;
  private Position cursor;
  private Position readAt;
  private long events;
  private long bytes;
  private long appended;
  private long committed;
  private long evictedEvents;
  private long evictedBytes;
  private long corruptRecords;
  private long corruptBytes;
  private volatile Stats stats;

  private Spool(Path dir, long maxBytes, long segmentBytes) {
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.segmentBytes = segmentBytes;
  }

  /**
   * Opens (or creates) the spool in {@code dir}. {@code segmentBytes} is capped at a quarter of
   * {@code maxBytes}, so that the bound is reached with several segments and eviction frees a part of it, not all.
   */
  public static Spool open(Path dir, long maxBytes, long segmentBytes) {
    if (maxBytes < 4 * (HEADER_BYTES + 1)) {
      throw new IllegalArgumentException("spool maxBytes too small: " + maxBytes);
    }
    Spool spool = new Spool(dir, maxBytes, Math.max(HEADER_BYTES + 1, Math.min(segmentBytes, maxBytes / 4)));
    try {
      spool.load();
    } catch (IOException e) {
      spool.close();
      throw new UncheckedIOException("cannot open the spool in " + dir, e);
    }
    return spool;
  }

  /** Appends the payloads in order, evicting the oldest segments first if they would not fit, then forces them to disk. */
  public synchronized void append(List<byte[]> payloads) {
    try {
      List<ByteBuffer> pending = new ArrayList<>();
      for (byte[] payload : payloads) {
        long size = HEADER_BYTES + (long) payload.length;
        if (payload.length > MAX_RECORD_BYTES || size > maxBytes) {
          evictedEvents++;
          evictedBytes += size;
          LOG.warn("spool: a record of {} bytes can never fit, dropped", payload.length);
          continue;
        }
        Segment last = segments.peekLast();
        if (last.size > 0 && last.size + size > segmentBytes) {
          flush(pending);
          roll();
        }
        while (bytes + size > maxBytes && segments.size() > 1) {
          flush(pending);
          evictOldest();
        }
        pending.add(header(payload));
        pending.add(ByteBuffer.wrap(payload));
        Segment current = segments.peekLast();
        current.size += size;
        current.records++;
        bytes += size;
        events++;
        appended++;
      }
      flush(pending);
      active.force(false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to the spool in " + dir, e);
    } finally {
      publishStats();
    }
  }

  /**
   * Reads up to {@code maxRecords} records (and about {@code maxBytes}) from where the last read stopped, in
   * order. They stay in the spool until committed.
   */
  public synchronized List<Record> read(int maxRecords, long maxBytes) {
    List<Record> records = new ArrayList<>();
    long taken = 0;
    try {
      while (records.size() < maxRecords && taken < maxBytes) {
        Segment segment = segmentAtOrAfter(readAt.segment);
        if (segment == null) {
          break;
        }
        if (segment.id != readAt.segment) {
          readAt = new Position(segment.id, 0, 0);
        }
        if (readAt.offset >= segment.size) {
          Segment next = segmentAtOrAfter(segment.id + 1);
          if (next == null) {
            break;
          }
          readAt = new Position(next.id, 0, 0);
          continue;
        }
        try (FileChannel file = FileChannel.open(segment.path, StandardOpenOption.READ)) {
          long offset = readAt.offset;
          long ordinal = readAt.ordinal;
          ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
          while (offset < segment.size && records.size() < maxRecords && taken < maxBytes) {
            header.clear();
            readFully(file, header, offset);
            int length = header.getInt(0);
            ByteBuffer payload = null;
            if (length >= 0 && length <= segment.size - offset - HEADER_BYTES) {
              payload = ByteBuffer.allocate(length);
              readFully(file, payload, offset + HEADER_BYTES);
            }
            if (payload == null || crc(payload.array()) != header.getInt(4)) {
              // checked when opened and written by us since: the disk changed under us
              cut(segment, offset, ordinal);
              break;
            }
            offset += HEADER_BYTES + length;
            ordinal++;
            taken += HEADER_BYTES + length;
            records.add(new Record(payload.array(), new Position(segment.id, offset, ordinal)));
          }
          readAt = new Position(segment.id, offset, ordinal);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the spool in " + dir, e);
    }
    return records;
  }

  /** The next {@link #read} starts again at the oldest unconfirmed record (after a failed replay). */
  public synchronized void rewind() {
    readAt = cursor;
  }

  /**
   * Every record before {@code next} is confirmed: moves the cursor there (never backwards; a position in an
   * evicted segment is already passed), persists it and deletes the segments that hold nothing unconfirmed.
   */
  public synchronized void commit(Position next) {
    if (next.compareTo(cursor) <= 0) {
      return;
    }
    try {
      Segment segment = segmentAtOrAfter(cursor.segment);
      while (segment != null && segment.id < next.segment) {
        committed += segment.records - (segment.id == cursor.segment ? cursor.ordinal : 0);
        segment = segmentAtOrAfter(segment.id + 1);
      }
      committed += next.ordinal - (cursor.segment == next.segment ? cursor.ordinal : 0);
      cursor = next;
      events = countAfterCursor();
      if (readAt.compareTo(cursor) < 0) {
        readAt = cursor;
      }
      dropConfirmedSegments();
      writeCursor();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot commit the spool in " + dir, e);
    } finally {
      publishStats();
    }
  }

  public boolean isEmpty() {
    return stats.events() == 0;
  }

  /** A snapshot, updated after every operation; safe to read from an event loop. */
  public Stats stats() {
    return stats;
  }

  @Override
  public synchronized void close() {
    if (active != null) {
      try {
        active.close();
      } catch (IOException e) {
        LOG.debug("closing the spool: {}", e.toString());
      }
      active = null;
    }
  }

  private void load() throws IOException {
    Files.createDirectories(dir);
    List<Path> files;
    try (Stream<Path> listing = Files.list(dir)) {
      files = listing.filter(path -> path.getFileName().toString().matches("\\d{20}\\" + SUFFIX)).sorted().toList();
    }
    Position saved = readCursor();
    for (Path path : files) {
      long id = Long.parseLong(path.getFileName().toString().substring(0, 20));
      if (saved != null && id < saved.segment) {
        Files.deleteIfExists(path); // fully confirmed before the last stop
        continue;
      }
      segments.addLast(scan(id, path, saved != null && saved.segment == id ? saved.offset : -1));
    }
    if (segments.isEmpty()) {
      long next = saved == null ? 1 : saved.segment + 1;
      segments.addLast(create(next));
    }
    cursor = validCursor(saved);
    readAt = cursor;
    bytes = segments.stream().mapToLong(segment -> segment.size).sum();
    events = countAfterCursor();
    active = FileChannel.open(segments.peekLast().path, StandardOpenOption.WRITE);
    active.position(segments.peekLast().size);
    publishStats();
    if (events > 0 || corruptRecords > 0) {
      LOG.info("spool {}: {} events waiting ({} bytes){}", dir, events, bytes,
          corruptRecords > 0 ? ", " + corruptRecords + " torn or damaged records skipped (" + corruptBytes + " bytes)" : "");
    }
  }

  /**
   * Reads a segment through, checking every record; cuts it at the first torn or damaged one. Notes the ordinal
   * of the record at {@code cursorOffset}, if one starts there.
   */
  private Segment scan(long id, Path path, long cursorOffset) throws IOException {
    Segment segment = new Segment(id, path);
    try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long length = file.size();
      long offset = 0;
      ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
      if (cursorOffset == 0) {
        segment.cursorOrdinal = 0;
      }
      while (offset < length) {
        boolean whole = false;
        if (length - offset >= HEADER_BYTES) {
          header.clear();
          readFully(file, header, offset);
          int size = header.getInt(0);
          if (size >= 0 && size <= MAX_RECORD_BYTES && length - offset - HEADER_BYTES >= size) {
            ByteBuffer payload = ByteBuffer.allocate(size);
            readFully(file, payload, offset + HEADER_BYTES);
            whole = crc(payload.array()) == header.getInt(4);
          }
        }
        if (!whole) {
          corruptRecords++;
          corruptBytes += length - offset;
          LOG.warn("spool segment {}: torn or damaged record at offset {}, {} bytes cut off", path, offset, length - offset);
          file.truncate(offset);
          file.force(true);
          break;
        }
        offset += HEADER_BYTES + header.getInt(0);
        segment.records++;
        if (offset == cursorOffset) {
          segment.cursorOrdinal = segment.records;
        }
      }
      segment.size = offset;
    }
    return segment;
  }

  /** The saved cursor if it still points at a record boundary; else the start of the oldest segment (resending is safe). */
  private Position validCursor(Position saved) {
    Segment first = segments.peekFirst();
    if (saved == null || saved.segment < first.id) {
      return new Position(first.id, 0, 0);
    }
    for (Segment segment : segments) {
      if (segment.id == saved.segment) {
        if (segment.cursorOrdinal >= 0) {
          return new Position(segment.id, saved.offset, segment.cursorOrdinal);
        }
        LOG.warn("spool cursor {} is not at a record boundary; replaying segment {} from its start", saved, segment.id);
        return new Position(segment.id, 0, 0);
      }
    }
    // the cursor's segment is gone (fully confirmed, then the process stopped): the next one starts unconfirmed
    Segment after = segmentAtOrAfter(saved.segment);
    return after == null ? new Position(segments.peekLast().id, segments.peekLast().size, segments.peekLast().records)
        : new Position(after.id, 0, 0);
  }

  private long countAfterCursor() {
    long count = 0;
    for (Segment segment : segments) {
      if (segment.id > cursor.segment) {
        count += segment.records;
      } else if (segment.id == cursor.segment) {
        count += segment.records - cursor.ordinal;
      }
    }
    return count;
  }

  /** Deletes segments the cursor is past; when everything is confirmed, starts a fresh segment so the space comes back. */
  private void dropConfirmedSegments() throws IOException {
    while (segments.size() > 1 && segments.peekFirst().id < cursor.segment) {
      delete(segments.pollFirst());
    }
    Segment first = segments.peekFirst();
    if (segments.size() > 1 && cursor.segment == first.id && cursor.offset >= first.size) {
      delete(segments.pollFirst());
      cursor = new Position(segments.peekFirst().id, 0, 0);
    }
    if (events == 0 && segments.size() == 1 && segments.peekFirst().size > 0) {
      roll();
      delete(segments.pollFirst());
      cursor = new Position(segments.peekFirst().id, 0, 0);
      readAt = cursor;
    }
  }

  /**
   * A record that no longer reads back as written: the segment ends before it, as when opening after a crash.
   * What follows it in that segment is lost and counted as corrupt.
   */
  private void cut(Segment segment, long offset, long ordinal) throws IOException {
    long lost = segment.size - offset;
    LOG.error("spool segment {}: record at offset {} is damaged; cutting {} bytes ({} records)", segment.path, offset, lost,
        segment.records - ordinal);
    try (FileChannel file = FileChannel.open(segment.path, StandardOpenOption.WRITE)) {
      file.truncate(offset);
    }
    if (segment == segments.peekLast()) {
      active.position(offset);
    }
    corruptRecords += segment.records - ordinal;
    corruptBytes += lost;
    bytes -= lost;
    segment.size = offset;
    segment.records = ordinal;
    events = countAfterCursor();
    publishStats();
  }

  private void evictOldest() throws IOException {
    Segment oldest = segments.pollFirst();
    long lostRecords;
    long lostBytes;
    if (cursor.segment == oldest.id) {
      lostRecords = oldest.records - cursor.ordinal;
      lostBytes = oldest.size - cursor.offset;
    } else if (cursor.segment < oldest.id) {
      lostRecords = oldest.records;
      lostBytes = oldest.size;
    } else {
      lostRecords = 0;
      lostBytes = 0;
    }
    delete(oldest);
    evictedEvents += lostRecords;
    evictedBytes += lostBytes;
    events -= lostRecords;
    Segment next = segments.peekFirst();
    if (cursor.segment <= oldest.id) {
      cursor = new Position(next.id, 0, 0);
      writeCursor();
    }
    if (readAt.segment <= oldest.id) {
      readAt = cursor;
    }
    LOG.warn("spool full ({} bytes): evicted segment {} with {} unconfirmed events ({} bytes)", maxBytes, oldest.id, lostRecords, lostBytes);
  }

  private void roll() throws IOException {
    active.force(false);
    active.close();
    Segment next = create(segments.peekLast().id + 1);
    segments.addLast(next);
    active = FileChannel.open(next.path, StandardOpenOption.WRITE);
  }

  private Segment create(long id) throws IOException {
    Path path = dir.resolve(String.format("%020d", id) + SUFFIX);
    Files.newByteChannel(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING).close();
    return new Segment(id, path);
  }

  private void delete(Segment segment) throws IOException {
    Files.deleteIfExists(segment.path);
    bytes -= segment.size;
  }

  private Segment segmentAtOrAfter(long id) {
    for (Segment segment : segments) {
      if (segment.id >= id) {
        return segment;
      }
    }
    return null;
  }

  /** Writes the records gathered so far in one gathering write: each header, then its payload as handed in. */
  private void flush(List<ByteBuffer> pending) throws IOException {
    ByteBuffer[] buffers = pending.toArray(ByteBuffer[]::new);
    long remaining = 0;
    for (ByteBuffer buffer : buffers) {
      remaining += buffer.remaining();
    }
    while (remaining > 0) {
      remaining -= active.write(buffers);
    }
    pending.clear();
  }

  private Position readCursor() throws IOException {
    Path file = dir.resolve(CURSOR);
    if (!Files.exists(file)) {
      return null;
    }
    String[] parts = Files.readString(file, StandardCharsets.US_ASCII).trim().split("\\s+");
    try {
      return new Position(Long.parseLong(parts[0]), Long.parseLong(parts[1]), -1);
    } catch (RuntimeException e) {
      LOG.warn("spool cursor {} is unreadable; replaying from the oldest segment", file);
      return null;
    }
  }

  private void writeCursor() throws IOException {
    Path file = dir.resolve(CURSOR);
    Path tmp = dir.resolve(CURSOR + ".tmp");
    try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      channel.write(ByteBuffer.wrap((cursor.segment + " " + cursor.offset + "\n").getBytes(StandardCharsets.US_ASCII)));
      channel.force(false);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private void publishStats() {
    stats = new Stats(events, bytes, appended, committed, evictedEvents, evictedBytes, corruptRecords, corruptBytes);
  }

  private static ByteBuffer header(byte[] payload) {
    return ByteBuffer.allocate(HEADER_BYTES).putInt(payload.length).putInt(crc(payload)).flip();
  }

  static int crc(byte[] payload) {
    CRC32C crc = new CRC32C();
    crc.update(payload);
    return (int) crc.getValue();
  }

  private static void readFully(FileChannel file, ByteBuffer into, long position) throws IOException {
    long at = position;
    while (into.hasRemaining()) {
      int read = file.read(into, at);
      if (read < 0) {
        throw new IOException("unexpected end of spool segment");
      }
      at += read;
    }
  }

  private static final class Segment {
    final long id;
    final Path path;
    long size;
    long records;
    /** When opening: the ordinal of the record the saved cursor points at, -1 if it points at no record boundary here. */
    long cursorOrdinal = -1;

    Segment(long id, Path path) {
      this.id = id;
      this.path = path;
    }
  }
}
