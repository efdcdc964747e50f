package io.mirador.bench;

import com.rabbitmq.client.Channel;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/** Publisher confirms of one channel, releasing places of a window shared by every channel. */
final class ConfirmWindow {

  private final NavigableSet<Long> unconfirmed = new ConcurrentSkipListSet<>();
  private final Semaphore window;
  private final LongAdder acked;
  private final LongAdder nacked;

  ConfirmWindow(Channel channel, Semaphore window, LongAdder acked, LongAdder nacked) throws java.io.IOException {
    this.window = window;
    this.acked = acked;
    this.nacked = nacked;
    channel.confirmSelect();
    channel.addConfirmListener((tag, multiple) -> settle(tag, multiple, acked), (tag, multiple) -> settle(tag, multiple, this.nacked));
  }

  /** Takes a place in the window; false when none freed within the wait. Call {@link #sent} next with the tag. */
  boolean acquire(long waitMs) throws InterruptedException {
    return window.tryAcquire(waitMs, TimeUnit.MILLISECONDS);
  }

  /** Before basicPublish, on the publishing thread: the confirm may come back before basicPublish returns. */
  void sent(long tag) {
    unconfirmed.add(tag);
  }

  int pending() {
    return unconfirmed.size();
  }

  private void settle(long tag, boolean multiple, LongAdder outcome) {
    int released = 0;
    if (multiple) {
      NavigableSet<Long> done = unconfirmed.headSet(tag, true);
      for (Long t; (t = done.pollFirst()) != null; ) {
        released++;
      }
    } else if (unconfirmed.remove(tag)) {
      released = 1;
    }
    outcome.add(released);
    window.release(released);
  }
}
