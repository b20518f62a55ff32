package dev.slipstream.runtime.resume;

import static dev.slipstream.runtime.change.ChangeFixtures.MESSAGES;
import static dev.slipstream.runtime.change.ChangeFixtures.insert;
import static dev.slipstream.runtime.change.ChangeFixtures.message;
import static dev.slipstream.runtime.change.ChangeFixtures.position;
import static dev.slipstream.runtime.change.ChangeFixtures.truncate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.slipstream.runtime.change.ChangeEvent;
import dev.slipstream.runtime.change.EventPosition;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ResumeRingTest {

  /** Three transactions: two events at 0x1000, three at 0x2000, one at 0x3000. */
  private static final List<ChangeEvent> STREAM = List.of(
      row(0x1000, 0), row(0x1000, 1),
      row(0x2000, 0), row(0x2000, 1), truncate(position(0x2000, 2), MESSAGES),
      row(0x3000, 0));

  private static ChangeEvent row(long lsn, int index) {
    return insert(position(lsn, index), MESSAGES, message(Long.toString(lsn + index), "lobby", "hi", "0", "f"));
  }

  private static ResumeRing ringOf(int capacity, List<ChangeEvent> events) {
    ResumeRing ring = new ResumeRing(capacity);
    events.forEach(ring::add);
    return ring;
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1})
  void capacityMustBePositive(int capacity) {
    assertThatIllegalArgumentException().isThrownBy(() -> new ResumeRing(capacity))
        .withMessage("capacity must be positive: " + capacity);
  }

  @Test
  void afterReturnsWhatFollowsThePositionOldestFirst() {
    ResumeRing ring = ringOf(10, STREAM);

    assertThat(ring.after(position(0x1000, 1))).contains(STREAM.subList(2, 6));
    assertThat(ring.after(position(0x2000, 1))).contains(STREAM.subList(4, 6));
  }

  @Test
  void aPositionBetweenEventsResumesAtTheNextOne() {
    ResumeRing ring = ringOf(10, STREAM);

    assertThat(ring.after(position(0x1800, 0))).contains(STREAM.subList(2, 6));
    assertThat(ring.after(position(0x2000, 7))).contains(List.of(STREAM.get(5)));
  }

  @Test
  void theNewestPositionHasNothingToReplay() {
    ResumeRing ring = ringOf(10, STREAM);

    assertThat(ring.after(position(0x3000, 0))).contains(List.of());
  }

  @Test
  void aPositionBeyondAnythingTheStreamReachedIsAGap() {
    ResumeRing ring = ringOf(10, STREAM);

    assertThat(ring.after(position(0x9000, 0))).as("beyond the newest event").isEmpty();
    assertThat(ring.after(new EventPosition(-1L, 0))).as("FFFFFFFFFFFFFFFF-0").isEmpty();
  }

  @Test
  void aPositionBeyondTheNewestButWithinTheServersWalIsNotAGap() {
    // After a restart: a client saw 0x9000 before the slot was confirmed past it; it will be streamed again.
    ResumeRing ring = new ResumeRing(10);
    ring.startsAt(0x5000, 0xA000);

    assertThat(ring.after(position(0x9000, 0))).contains(List.of());
    assertThat(ring.after(position(0xA001, 0))).isEmpty();
  }

  @Test
  void beforeAnyEvictionEverythingRetainedIsReplayed() {
    ResumeRing ring = ringOf(10, STREAM);

    assertThat(ring.after(position(0, 0))).contains(STREAM);
  }

  @Test
  void anEmptyRingReplaysNothing() {
    ResumeRing ring = new ResumeRing(4);
    ring.startsAt(0x1000, 0x2000);

    assertThat(ring.after(position(0x1000, 0))).contains(List.of());
  }

  @Test
  void atCapacityTheOldestEventIsDropped() {
    ResumeRing ring = ringOf(4, STREAM);

    assertThat(ring.size()).isEqualTo(4);
    assertThat(ring.capacity()).isEqualTo(4);
    // Events 0 and 1 (0x1000-0, 0x1000-1) are gone; a client that saw 0x1000-1 misses nothing.
    assertThat(ring.after(position(0x1000, 1))).contains(STREAM.subList(2, 6));
    assertThat(ring.after(position(0x2000, 0))).contains(STREAM.subList(3, 6));
  }

  @Test
  void askingForAPositionOlderThanTheNewestEvictedIsAGap() {
    ResumeRing ring = ringOf(4, STREAM);

    assertThat(ring.after(position(0x1000, 0))).isEmpty();
    assertThat(ring.after(position(0x0FFF, 0))).isEmpty();
    assertThat(ring.after(position(0, 0))).isEmpty();
  }

  @Test
  void theGapMovesWithEviction() {
    ResumeRing ring = ringOf(2, STREAM.subList(0, 3));
    assertThat(ring.after(position(0x1000, 0))).contains(STREAM.subList(1, 3));

    ring.add(STREAM.get(3));

    assertThat(ring.after(position(0x1000, 0))).isEmpty();
    assertThat(ring.after(position(0x1000, 1))).contains(STREAM.subList(2, 4));
  }

  @Test
  void orderSurvivesManyWrapArounds() {
    ResumeRing ring = new ResumeRing(5);
    List<ChangeEvent> all = new ArrayList<>();
    for (int i = 0; i < 23; i++) {
      ChangeEvent event = row(0x1000L * (i + 1), 0);
      all.add(event);
      ring.add(event);
    }

    assertThat(ring.size()).isEqualTo(5);
    assertThat(ring.after(all.get(17).position())).contains(all.subList(18, 23));
    assertThat(ring.after(all.get(16).position())).isEmpty();
  }

  @Test
  void lsnsWithTheTopBitSetAreNewerThanLowOnes() {
    ChangeEvent low = row(0x7FFF_FFFF_FFFF_F000L, 0);
    ChangeEvent high = row(0x8000_0000_0000_1000L, 0);
    ResumeRing ring = ringOf(1, List.of(low, high));

    assertThat(ring.after(low.position())).contains(List.of(high));
    assertThat(ring.after(position(0x10, 0))).isEmpty();
  }

  @Test
  void theReturnedListIsACopy() {
    ResumeRing ring = ringOf(10, STREAM.subList(0, 2));
    Optional<List<ChangeEvent>> replay = ring.after(position(0, 0));

    ring.add(STREAM.get(2));

    assertThat(replay).contains(STREAM.subList(0, 2));
  }

  @Test
  void positionsAreComparedNotIdentities() {
    ResumeRing ring = ringOf(10, STREAM);
    EventPosition parsed = EventPosition.parse("0000000000002000-1");

    assertThat(ring.after(parsed)).contains(STREAM.subList(4, 6));
  }
}
