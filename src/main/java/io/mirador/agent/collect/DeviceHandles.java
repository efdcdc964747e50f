package io.mirador.agent.collect;

import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OSHI handles on devices that come and go (disks, network interfaces), kept between collections so each round
 * only refreshes their counters ({@code updateAttributes()}).
 *
 * <p>The list is discovered again every {@link #REDISCOVER_AFTER_NANOS minute}, so new devices show up, and at
 * once when a handle fails to refresh, so a vanished device is dropped. It never holds more than {@code max}
 * handles: the first ones by name, so the choice is the same on every round.
 */
final class DeviceHandles<T> {

  static final long REDISCOVER_AFTER_NANOS = TimeUnit.SECONDS.toNanos(60);

  private static final Logger LOG = LoggerFactory.getLogger(DeviceHandles.class);

  private final String what;
  private final Supplier<List<T>> discover;
  private final Predicate<T> refresh;
  private final Function<T, String> nameOf;
  private final int max;

  private List<T> handles = List.of();
  private long discoveredAtNanos;
  private boolean discovered;
  private boolean warnedAboutLimit;

  /**
   * @param what     what the devices are, for the log line when there are more than {@code max}
   * @param discover lists the devices now, with fresh counters
   * @param refresh  re-reads one device's counters; false when the device is gone
   * @param nameOf   the device's name, the order in which devices are kept
   * @param max      at most this many devices are kept
   */
  DeviceHandles(String what, Supplier<List<T>> discover, Predicate<T> refresh, Function<T, String> nameOf, int max) {
    this.what = what;
    this.discover = discover;
    this.refresh = refresh;
    this.nameOf = nameOf;
    this.max = max;
  }

  /** The devices with counters read during this call; {@code nowNanos} is a {@link System#nanoTime()} reading. */
  List<T> refreshed(long nowNanos) {
    if (discovered && nowNanos - discoveredAtNanos < REDISCOVER_AFTER_NANOS && refreshAll()) {
      return handles;
    }
    List<T> found = discover.get();
    if (found.size() > max && !warnedAboutLimit) {
      warnedAboutLimit = true;
      LOG.warn("{} {} found, reporting only the first {} by name", found.size(), what, max);
    }
    handles = found.stream().sorted(Comparator.comparing(nameOf)).limit(max).toList();
    discoveredAtNanos = nowNanos;
    discovered = true;
    return handles;
  }

  private boolean refreshAll() {
    boolean allPresent = true;
    for (T handle : handles) {
      allPresent &= refresh.test(handle);
    }
    return allPresent;
  }
}
