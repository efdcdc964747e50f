package io.mirador.agent;

import io.mirador.Addresses;
import io.mirador.agent.spool.Spool;
import io.mirador.model.AgentInfo;
import io.mirador.model.EncodedEnvelope;
import io.mirador.model.Envelope;
import io.mirador.model.EventType;
import io.mirador.model.InvalidEventException;
import io.mirador.transport.AgentTransport;
import io.mirador.transport.Transports;
import io.mirador.transport.UndeliverableException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's way to the hub. Takes events from the agent's other verticles into a bounded outbox, numbers them
 * with the persisted sequence (on disk before they leave), and publishes them through the transport with up to
 * {@code agent.outbox.maxInFlight} waiting for their confirm.
 *
 * <p>When a publish fails (broker gone, no confirm in time) the channel switches to spooling: the failed events,
 * then everything after them, go to the disk {@link Spool} in seq order, and a replay sends the spool's records
 * in order, with the same window, as soon as the transport is connected again. A record leaves the spool only
 * once its confirm came. When the replay has caught up with the spool and nothing else waits, the channel goes
 * back to publishing directly. On stop, whatever was not confirmed is spooled too, so a restarted agent sends it.
 *
 * <p>With {@code agent.spool.writeAhead} (the default) the channel spools always: the spool is a write-ahead log.
 * Each batch of events is numbered, appended with one fsync, and only then is the sequence file advanced and the
 * batch published by the replay; so an agent killed outright resends everything not confirmed, and a start finds
 * numbers the sequence file missed in the spool. Only events not yet numbered live in memory alone.
 *
 * <p>Bounds: the outbox (events not yet published or spooled) holds {@code agent.outbox.maxEvents}, dropping the
 * oldest when full; the spool holds {@code agent.spool.maxBytes}, evicting its oldest segment when full. Both
 * count what they drop, and every heartbeat carries those counters. Commands from the hub go to the agent's
 * engine. All file I/O runs through {@code executeBlocking}, in order.
 *
 * <p>Each numbered event is encoded once, on a worker, in the same {@code executeBlocking} step that numbers or
 * spools it: the bytes appended to the spool are the bytes published, and a replay publishes the bytes it reads
 * back as they are, taking only the type, agent, seq and ts off their head ({@link EncodedEnvelope#read}). The
 * hub validates every message it receives.
 */
public final class AgentChannelVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(AgentChannelVerticle.class);
  private static final long MIN_BACKOFF_MS = 250;
  private static final long MAX_BACKOFF_MS = 30_000;
  /** How often a replay waiting for the broker looks at the transport; no I/O, so it can be often. */
  private static final long RECONNECT_POLL_MS = 200;
  /** Most events written to the spool in one append (one fsync). */
  private static final int SPOOL_BATCH = 500;
  /** Confirmed replayed records between two commits of the spool cursor. */
  private static final int COMMIT_EVERY = 256;
  private static final long READ_BYTES = 4L * 1024 * 1024;

  /** Events not yet numbered, in arrival order. */
  private final ArrayDeque<Envelope> outbox = new ArrayDeque<>();
  /** Numbered events whose publish failed, waiting to be spooled, by seq. */
  private final TreeMap<Long, EncodedEnvelope> failed = new TreeMap<>();
  /** Numbered events published directly and waiting for their confirm, by seq. */
  private final Map<Long, EncodedEnvelope> sending = new HashMap<>();
  private final Map<String, Long> counters = new HashMap<>();
  private AgentTransport transport;
  private SequenceFile sequence;
  private Spool spool;
  private MessageConsumer<Envelope> inbox;
  /** Merges collectors' metrics events before they reach the outbox. */
  private MetricsCoalescer coalescer;
  private String agentId;
  private int maxEvents;
  private int window;
  /** Events taken from the outbox and being numbered; they count against the window. */
  private int numbering;
  /** A publish failed: every event goes through the spool until the replay has emptied it. */
  private boolean spooling;
  /** agent.spool.writeAhead: every event goes through the spool, always (so {@link #spooling} never ends). */
  private boolean writeAhead;
  private boolean spoolWriting;
  private Replay replay;
  private boolean stopping;
  private long backoffMs = MIN_BACKOFF_MS;
  private long retryTimer = -1;
  private long replayTimer = -1;
  /** The last blocking task submitted; they run in order, so when it is done all are. */
  private Future<?> lastBlocking = Future.succeededFuture();

  @Override
  public Future<?> start() {
    AgentConfig agent = AgentConfig.of(config());
    agentId = agent.id();
    maxEvents = agent.outboxMaxEvents();
    window = agent.maxInFlight();
    writeAhead = agent.spoolWriteAhead();
    transport = Transports.forAgent(vertx, config(), agentId);
    Path dataDir = Path.of(agent.dataDir());
    return blocking(() -> {
      sequence = new SequenceFile(dataDir);
      spool = Spool.open(dataDir.resolve("spool"), agent.spoolMaxBytes(), agent.spoolSegmentBytes());
      long spooled = highestSpooledSeq();
      if (spooled > sequence.last()) {
        // killed after an append and before the sequence file caught up: never hand those numbers out again
        LOG.info("agent {}: the spool holds seq {} beyond the sequence file's {}; numbering goes on from there", agentId, spooled, sequence.last());
        sequence.advanceTo(spooled);
      }
      return null;
    }).compose(opened -> {
      spooling = writeAhead;
      if (!spool.isEmpty()) {
        spooling = true;
        LOG.info("agent {}: {} events spooled before this start; replaying them first", agentId, spool.stats().events());
      }
      coalescer = new MetricsCoalescer(vertx, agentId, agent.batchLingerMs(), agent.batchMaxSamples(), agent.batchMaxBytes(),
          this::enqueue, mergedAway -> count("metrics_coalesced", mergedAway));
      inbox = vertx.eventBus().localConsumer(Addresses.agentOutbox(agentId), message -> coalescer.add(message.body()));
      Future<Void> commands = transport.onCommand(command -> vertx.eventBus().send(Addresses.agentEngine(agentId), command));
      return Future.join(inbox.completion(), commands);
    }).onSuccess(started -> pump());
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(retryTimer);
    vertx.cancelTimer(replayTimer);
    Future<Void> unregistered = inbox == null ? Future.succeededFuture() : inbox.unregister();
    return unregistered
        .transform(done -> {
          if (coalescer != null) {
            coalescer.flush(); // into the outbox (nothing is published while stopping), so it is spooled with the rest
          }
          return lastBlocking.transform(settled -> spoolWhatIsLeft());
        })
        .transform(done -> transport == null ? Future.succeededFuture() : transport.close())
        .transform(done -> spool == null ? Future.succeededFuture() : blocking(() -> {
          spool.close();
          return null;
        }));
  }

  /** Everything not confirmed goes to the spool, numbered, in seq order, so the next start sends it. */
  private Future<Void> spoolWhatIsLeft() {
    List<EncodedEnvelope> numbered = new ArrayList<>(failed.values());
    numbered.addAll(sending.values());
    numbered.sort(Comparator.comparingLong(EncodedEnvelope::seq));
    List<Envelope> fresh = outbox.stream().map(this::withCounters).toList();
    failed.clear();
    sending.clear();
    outbox.clear();
    if (spool == null || (numbered.isEmpty() && fresh.isEmpty())) {
      return Future.succeededFuture();
    }
    return blocking(() -> {
      List<byte[]> records = new ArrayList<>(numbered.stream().map(EncodedEnvelope::bytes).toList());
      Encoded encoded = encode(withSeqs(fresh));
      encoded.events().forEach(event -> records.add(event.bytes()));
      spool.append(records);
      return records.size();
    }).onSuccess(count -> LOG.info("agent {}: {} unconfirmed events spooled at stop", agentId, count))
        .onFailure(e -> LOG.error("agent {}: could not spool the unconfirmed events at stop; they are lost", agentId, e))
        .otherwiseEmpty().mapEmpty();
  }

  private void enqueue(Envelope event) {
    if (outbox.size() + failed.size() >= maxEvents) {
      if (!failed.isEmpty()) {
        failed.pollFirstEntry();
      } else {
        outbox.pollFirst();
      }
      count("outbox_dropped", 1);
    }
    outbox.addLast(event);
    pump();
  }

  private void pump() {
    if (stopping) {
      return;
    }
    if (spooling) {
      spoolPending();
      if (replay == null) {
        if (!writeAhead || !spool.isEmpty()) {
          scheduleReplay(0);
        }
      } else {
        advance(replay);
      }
    } else {
      publishDirect();
    }
  }

  // ---- direct: number, publish, up to the window in flight

  private void publishDirect() {
    if (numbering > 0 || outbox.isEmpty() || retryTimer >= 0) {
      return;
    }
    int room = window - sending.size();
    if (room <= 0) {
      return;
    }
    List<Envelope> batch = take(room);
    List<Envelope> stamped = batch.stream().map(this::withCounters).toList();
    numbering = batch.size();
    blocking(() -> encode(withSeqs(stamped))).onComplete(numbered -> {
      numbering = 0;
      if (numbered.failed()) {
        putBack(batch);
        LOG.error("agent {}: cannot persist the sequence number; retrying in {} ms", agentId, backoffMs, numbered.cause());
        retryLater();
        return;
      }
      count("undeliverable", numbered.result().undeliverable());
      for (EncodedEnvelope event : numbered.result().events()) {
        if (spooling || stopping) {
          failed.put(event.seq(), event);
        } else {
          send(event);
        }
      }
      pump();
    });
  }

  private void send(EncodedEnvelope event) {
    sending.put(event.seq(), event);
    transport.publish(event).onComplete(result -> {
      if (sending.remove(event.seq()) == null) {
        return; // stop took it to the spool
      }
      if (result.succeeded()) {
        count("published", 1);
      } else if (result.cause() instanceof UndeliverableException e) {
        count("undeliverable", 1);
        LOG.warn("agent {}: dropping {} seq {}: {}", agentId, event.type().wireName(), event.seq(), e.getMessage());
      } else {
        count("publish_failures", 1);
        failed.put(event.seq(), event);
        if (!spooling) {
          spooling = true;
          LOG.warn("agent {}: publish failed ({}); spooling to disk until the hub confirms again", agentId, result.cause().getMessage());
        }
      }
      pump();
    });
  }

  // ---- spooling: failed and new events to disk, in seq order

  private void spoolPending() {
    // direct publishes still waiting may fail too: let them settle first, so the spool stays in seq order
    if (spoolWriting || retryTimer >= 0 || numbering > 0 || !sending.isEmpty() || (failed.isEmpty() && outbox.isEmpty())) {
      return;
    }
    spoolWriting = true;
    List<EncodedEnvelope> numbered = new ArrayList<>(failed.values());
    failed.clear();
    List<Envelope> fresh = take(SPOOL_BATCH);
    // numbered here (nothing else numbers while an append is pending), encoded and appended with one fsync on a
    // worker, and only then is the sequence file advanced: a kill in between leaves the numbers in the spool,
    // where start finds them
    long first = sequence.last() + 1;
    List<Envelope> stamped = numberedFrom(first, fresh.stream().map(this::withCounters).toList());
    blocking(() -> {
      Encoded encoded = encode(stamped);
      List<byte[]> records = new ArrayList<>(numbered.size() + encoded.events().size());
      numbered.forEach(event -> records.add(event.bytes()));
      encoded.events().forEach(event -> records.add(event.bytes()));
      spool.append(records);
      RuntimeException seqFailure = null;
      try {
        if (!fresh.isEmpty()) {
          sequence.advanceTo(first + fresh.size() - 1);
        }
      } catch (RuntimeException e) {
        seqFailure = e; // in memory it moved on, and the spool holds the numbers: nothing is numbered twice
      }
      return new Appended(records.size(), encoded.undeliverable(), seqFailure);
    }).onComplete(appended -> {
      spoolWriting = false;
      if (appended.succeeded()) {
        count("spool_appended", appended.result().records());
        count("undeliverable", appended.result().undeliverable());
        if (appended.result().seqFailure() != null) {
          // on disk in the spool, only the sequence file lagged behind: the replay sends them; numbering already moved on
          count("seq_write_failures", 1);
          LOG.error("agent {}: cannot persist the sequence number; the spool holds it", agentId, appended.result().seqFailure());
        }
        if (replay != null) {
          replay.exhausted = false; // there is more to read
        }
      } else {
        count("spool_write_failures", 1);
        numbered.forEach(event -> failed.put(event.seq(), event));
        putBack(fresh);
        LOG.error("agent {}: cannot write to the spool; retrying in {} ms", agentId, backoffMs, appended.cause());
        retryLater();
      }
      pump();
    });
  }

  /** The highest seq among the spool's unconfirmed records (0 when empty); reads the spool through once. Blocking. */
  private long highestSpooledSeq() {
    long highest = 0;
    try {
      for (List<Spool.Record> chunk = spool.read(4096, READ_BYTES); !chunk.isEmpty(); chunk = spool.read(4096, READ_BYTES)) {
        for (Spool.Record record : chunk) {
          try {
            highest = Math.max(highest, EncodedEnvelope.read(record.payload()).seq());
          } catch (InvalidEventException e) {
            // counted when the replay reaches it
          }
        }
      }
    } finally {
      spool.rewind();
    }
    return highest;
  }

  // ---- replay: the spool's records, in order, within the window; committed as their confirms come

  private void scheduleReplay(long delayMs) {
    if (stopping || replay != null || replayTimer >= 0) {
      return;
    }
    replayTimer = vertx.setTimer(Math.max(1, delayMs), id -> {
      replayTimer = -1;
      beginReplay();
    });
  }

  private void beginReplay() {
    if (stopping || !spooling || replay != null) {
      return;
    }
    if (!transport.connected()) {
      scheduleReplay(RECONNECT_POLL_MS);
      return;
    }
    replay = new Replay();
    advance(replay);
  }

  private void advance(Replay r) {
    if (stopping || replay != r) {
      return;
    }
    if (r.failed) {
      r.unsent.clear(); // read again after the rewind
    }
    while (!r.failed && r.inFlight < window && !r.unsent.isEmpty()) {
      replaySend(r, r.unsent.pollFirst());
    }
    if (!r.failed && !r.reading && !r.exhausted && r.unsent.size() < window) {
      replayRead(r);
    }
    if (r.confirmedUpTo != null && !r.committing && (r.confirmedSinceCommit >= COMMIT_EVERY || r.inFlight == 0)) {
      replayCommit(r);
    }
    if (r.inFlight > 0 || r.reading || r.committing || r.confirmedUpTo != null || !r.unsent.isEmpty()) {
      return;
    }
    if (r.failed) {
      replay = null;
      blocking(() -> {
        spool.rewind();
        return null;
      });
      LOG.debug("agent {}: replay stopped; next try in {} ms", agentId, backoffMs);
      scheduleReplay(backoffMs);
      backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    } else if (r.exhausted) {
      finishReplay(r);
    }
  }

  private void replayRead(Replay r) {
    r.reading = true;
    blocking(() -> spool.read(window, READ_BYTES).stream().map(AgentChannelVerticle::slot).toList()).onComplete(read -> {
      r.reading = false;
      if (read.failed()) {
        LOG.error("agent {}: cannot read the spool", agentId, read.cause());
        r.failed = true;
      } else if (read.result().isEmpty()) {
        r.exhausted = true;
      } else {
        for (Slot slot : read.result()) {
          if (slot.event == null) {
            count("spool_undecodable", 1);
            LOG.warn("agent {}: skipping a spooled record that is no envelope: {}", agentId, slot.unreadable);
          }
          r.unsent.addLast(slot);
        }
      }
      advance(r);
    });
  }

  /** A record read back, with what the transport needs taken off its head; the payload is published as it is. */
  private static Slot slot(Spool.Record record) {
    try {
      return new Slot(record, EncodedEnvelope.read(record.payload()), null);
    } catch (InvalidEventException e) {
      return new Slot(record, null, e.getMessage());
    }
  }

  private void replaySend(Replay r, Slot slot) {
    r.sent.addLast(slot);
    if (slot.event == null) {
      slot.done = true;
      settlePrefix(r);
      return;
    }
    r.inFlight++;
    transport.publish(slot.event).onComplete(result -> {
      r.inFlight--;
      if (result.succeeded()) {
        slot.done = true;
        count("published", 1);
        count("spool_replayed", 1);
        backoffMs = MIN_BACKOFF_MS;
      } else if (result.cause() instanceof UndeliverableException e) {
        slot.done = true;
        count("undeliverable", 1);
        LOG.warn("agent {}: dropping spooled {} seq {}: {}", agentId, slot.event.type().wireName(), slot.event.seq(), e.getMessage());
      } else {
        count("publish_failures", 1);
        r.failed = true;
      }
      settlePrefix(r);
      advance(r);
    });
  }

  /** The confirmed records at the head of what was sent can be committed; a gap (one still waiting) stops it. */
  private static void settlePrefix(Replay r) {
    while (!r.sent.isEmpty() && r.sent.peekFirst().done) {
      r.confirmedUpTo = r.sent.pollFirst().record.next();
      r.confirmedSinceCommit++;
    }
  }

  private void replayCommit(Replay r) {
    Spool.Position target = r.confirmedUpTo;
    r.confirmedUpTo = null;
    r.confirmedSinceCommit = 0;
    r.committing = true;
    blocking(() -> {
      spool.commit(target);
      return null;
    }).onComplete(committed -> {
      r.committing = false;
      if (committed.failed()) {
        LOG.error("agent {}: cannot commit the spool; its records will be sent again", agentId, committed.cause());
        r.failed = true;
      }
      advance(r);
    });
  }

  /** The replay read to the end and everything is confirmed: back to direct publishing, unless more arrived. */
  private void finishReplay(Replay r) {
    if (spoolWriting || numbering > 0 || !failed.isEmpty() || !outbox.isEmpty() || !sending.isEmpty()) {
      return; // an append is coming; its completion sets exhausted back and advances
    }
    replay = null;
    if (spool.isEmpty()) {
      backoffMs = MIN_BACKOFF_MS;
      if (!writeAhead) {
        spooling = false;
        LOG.info("agent {}: spool replayed; publishing directly again", agentId);
      }
    } else {
      // records the read did not see: start over from the cursor
      blocking(() -> {
        spool.rewind();
        return null;
      });
      scheduleReplay(MIN_BACKOFF_MS);
    }
    pump();
  }

  // ---- helpers

  private List<Envelope> take(int max) {
    List<Envelope> batch = new ArrayList<>(Math.min(max, outbox.size()));
    while (batch.size() < max && !outbox.isEmpty()) {
      batch.add(outbox.pollFirst());
    }
    return batch;
  }

  private void putBack(List<Envelope> batch) {
    for (int i = batch.size() - 1; i >= 0; i--) {
      outbox.addFirst(batch.get(i));
    }
  }

  private void retryLater() {
    if (retryTimer >= 0 || stopping) {
      return;
    }
    retryTimer = vertx.setTimer(backoffMs, id -> {
      retryTimer = -1;
      pump();
    });
    backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
  }

  /** Numbers the events, in order; the highest number is on disk before this returns. Blocking. */
  private List<Envelope> withSeqs(List<Envelope> events) {
    if (events.isEmpty()) {
      return List.of();
    }
    return numberedFrom(sequence.next(events.size()), events);
  }

  /**
   * Encodes numbered events, once each; they leave as these bytes, from the spool or directly. One that cannot be
   * encoded can never be sent: it is logged and counted as undeliverable (its seq is a gap at the hub). Runs on a worker.
   */
  private Encoded encode(List<Envelope> events) {
    List<EncodedEnvelope> encoded = new ArrayList<>(events.size());
    int undeliverable = 0;
    for (Envelope event : events) {
      try {
        encoded.add(EncodedEnvelope.of(event));
      } catch (RuntimeException e) {
        undeliverable++;
        LOG.warn("agent {}: dropping {} seq {}: cannot encode it: {}", agentId, event.type().wireName(), event.seq(), e.getMessage());
      }
    }
    return new Encoded(encoded, undeliverable);
  }

  private static List<Envelope> numberedFrom(long first, List<Envelope> events) {
    List<Envelope> numbered = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      Envelope event = events.get(i);
      numbered.add(new Envelope(event.v(), event.type(), event.agent(), first + i, event.ts(), event.body()));
    }
    return numbered;
  }

  private <T> Future<T> blocking(Callable<T> task) {
    Future<T> future = vertx.executeBlocking(task);
    lastBlocking = future;
    return future;
  }

  private void count(String name, long delta) {
    if (delta != 0) {
      counters.merge(name, delta, Long::sum);
    }
  }

  /** Heartbeats carry the channel's counters, so the hub sees drops where they happen. */
  private Envelope withCounters(Envelope event) {
    if (event.type() != EventType.HEARTBEAT && event.type() != EventType.REGISTER) {
      return event;
    }
    AgentInfo info = event.body(AgentInfo.class);
    Map<String, Long> merged = new HashMap<>(info.counters());
    merged.putAll(counters);
    merged.put("outbox_size", (long) (outbox.size() + failed.size()));
    merged.put("in_flight", (long) (sending.size() + (replay == null ? 0 : replay.inFlight)));
    if (spool != null) {
      Spool.Stats stats = spool.stats();
      merged.put("spool_events", stats.events());
      merged.put("spool_bytes", stats.bytes());
      merged.put("spool_evicted_events", stats.evictedEvents());
      merged.put("spool_evicted_bytes", stats.evictedBytes());
      merged.put("spool_corrupt_records", stats.corruptRecords());
      merged.put("spool_corrupt_bytes", stats.corruptBytes());
    }
    AgentInfo withCounters = new AgentInfo(info.id(), info.hostname(), info.ips(), info.os(), info.version(), info.busy(),
        info.startedAt(), info.interval(), Map.copyOf(merged), info.subscriptions());
    return new Envelope(event.v(), event.type(), event.agent(), event.seq(), event.ts(), withCounters);
  }

  /** One pass over the spool. */
  private static final class Replay {
    /** Read, not yet published, in spool order. */
    final ArrayDeque<Slot> unsent = new ArrayDeque<>();
    /** Published, in spool order, until the confirmed ones at the head are committed. */
    final ArrayDeque<Slot> sent = new ArrayDeque<>();
    int inFlight;
    boolean reading;
    boolean exhausted;
    boolean failed;
    boolean committing;
    Spool.Position confirmedUpTo;
    long confirmedSinceCommit;
  }

  private static final class Slot {
    final Spool.Record record;
    /** The record's payload with its head read; null when the head does not read: it is skipped (and counted). */
    final EncodedEnvelope event;
    /** Why the head did not read. */
    final String unreadable;
    boolean done;

    Slot(Spool.Record record, EncodedEnvelope event, String unreadable) {
      this.record = record;
      this.event = event;
      this.unreadable = unreadable;
    }
  }

  /** Numbered events encoded on a worker, and how many could not be. */
  private record Encoded(List<EncodedEnvelope> events, int undeliverable) {
  }

  /** One spool append: records written, events that could not be encoded, and the sequence file's failure if any. */
  private record Appended(int records, int undeliverable, RuntimeException seqFailure) {
  }
}
