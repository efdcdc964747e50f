package io.mirador.transport.rabbitmq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The ack frames {@link AckBatcher} sends for a channel's deliveries: as few as possible, and never one that would
 * ack a delivery being rejected or requeued. (That the broker settles what they name is shown against the real
 * broker by the RabbitMQ and production tests.)
 */
class AckBatcherTest {

  private final List<String> sent = new ArrayList<>();
  private final AckBatcher acks = new AckBatcher((tag, multiple) -> sent.add((multiple ? "upto " : "only ") + tag));

  private void deliver(int from, int to) {
    for (long tag = from; tag <= to; tag++) {
      acks.delivered(tag);
    }
  }

  @Test
  void aRunOfAcksIsOneMultipleAck() {
    deliver(1, 5);
    for (long tag = 1; tag <= 5; tag++) {
      acks.ack(tag);
    }
    acks.flush();
    assertEquals(List.of("upto 5"), sent);
    assertEquals(0, acks.outstanding());
  }

  @Test
  void acksWaitForTheOldestDeliveryToBeStored() {
    deliver(1, 3);
    acks.ack(2);
    acks.ack(3);
    acks.flush();
    assertEquals(List.of(), sent, "1 is not stored yet: acking 3 with multiple would ack it");
    assertEquals(1, acks.outstanding());
    acks.ack(1);
    acks.flush();
    assertEquals(List.of("upto 3"), sent);
  }

  @Test
  void aHeldDeliveryIsNeverCoveredAndDoesNotHoldUpTheRest() {
    deliver(1, 4);
    acks.ack(1);
    acks.hold(2); // being requeued
    acks.ack(3);
    acks.ack(4);
    acks.flush();
    assertEquals(List.of("upto 1", "only 3", "only 4"), sent);
    assertEquals(1, acks.outstanding());

    acks.settled(2); // its nack went out
    acks.flush();
    assertEquals(3, sent.size(), "nothing left to ack: 2 was nacked, 3 and 4 acked alone");

    deliver(5, 6);
    acks.ack(6);
    acks.ack(5);
    acks.flush();
    assertEquals("upto 6", sent.get(3));
    assertEquals(0, acks.outstanding());
  }

  @Test
  void aMultipleAckNeverNamesADeliveryAckedAlready() {
    deliver(1, 3);
    acks.hold(1);
    acks.ack(2);
    acks.flush(); // 2 goes alone, behind the held 1
    acks.settled(1);
    acks.flush();
    assertEquals(List.of("only 2"), sent, "a multiple ack of 2 would name a tag the broker no longer knows");
    acks.ack(3);
    acks.flush();
    assertEquals(List.of("only 2", "upto 3"), sent);
  }

  @Test
  void keepsUpWithAPrefetchBiggerThanItsFirstRing() {
    deliver(1, 1_000);
    for (long tag = 1_000; tag >= 2; tag--) {
      acks.ack(tag);
    }
    acks.flush();
    assertEquals(List.of(), sent);
    acks.ack(1);
    acks.flush();
    assertEquals(List.of("upto 1000"), sent);
  }

  @Test
  void settlementsOfUnknownTagsChangeNothing() {
    deliver(1, 2);
    acks.ack(1);
    acks.flush();
    acks.ack(1); // from before: ignored
    acks.ack(99); // never delivered on this channel
    acks.flush();
    assertEquals(List.of("upto 1"), sent);
    assertEquals(1, acks.outstanding());
  }

  @Test
  void refusesTagsThatAreNotOneChannelsDeliveries() {
    deliver(1, 2);
    assertThrows(IllegalStateException.class, () -> acks.delivered(4));
  }
}
