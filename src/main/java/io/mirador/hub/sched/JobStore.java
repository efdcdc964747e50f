package io.mirador.hub.sched;

import io.mirador.hub.cluster.Fence;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * What the jobs feature keeps: jobs (a header and one record per target), templates with their versions, and the
 * last tick each schedule ran. Jobs are created by the API ({@link #create}, unfenced: a new id) and driven by the one
 * owner of the {@value SchedVerticle#LEASE} lease, whose every write carries its {@link Fence} and is refused —
 * {@code false}, nothing written — when the fence no longer holds, in the same atomic step.
 */
public interface JobStore {

  /** Most jobs kept: the oldest ended ones leave first. */
  int MAX_JOBS = 10_000;

  /** A new job: its header and its targets, all WAITING. */
  Future<Void> create(JsonObject header, Collection<Target> targets);

  /** Writes the header (when given) and changed targets of a job, if the fence holds. */
  Future<Boolean> save(String id, JsonObject header, Collection<Target> targets, Fence fence);

  /** The header of a job. */
  Future<Optional<JsonObject>> header(String id);

  Future<List<Target>> targets(String id);

  /** Headers, newest first, at most {@code limit}. */
  Future<List<JsonObject>> headers(int limit);

  /** Ids of jobs not ended: what an owner taking over drives on. */
  Future<List<String>> unfinished();

  /** Asks for a job to be cancelled: remembered, so an owner taking over sees it. False when there is no such job. */
  Future<Boolean> requestCancel(String id);

  /** Ids of jobs asked to be cancelled (and not yet ended when asked). */
  Future<List<String>> cancelRequests();

  /** Stores a new version of a template; returns its number (1, 2, ...). */
  Future<Integer> putTemplate(String name, JsonObject template);

  /** A version of a template; the newest when {@code version} is 0. */
  Future<Optional<JsonObject>> template(String name, int version);

  /** The newest version of every template. */
  Future<List<JsonObject>> templates();

  /** The last tick (epoch ms) a schedule ran at; 0 when never. */
  Future<Long> lastTick(String schedule);

  /** Records that a schedule ran at {@code tick}, if the fence holds and no later tick was recorded: false otherwise. */
  Future<Boolean> markTick(String schedule, long tick, Fence fence);
}
