package dev.slipstream.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ConditionsTest {

  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T10:00:00.123Z"));
  private final Conditions conditions = new Conditions(new Clock() {
    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  });

  @Test
  void addsANewConditionStampedNowAtSecondPrecision() {
    List<Condition> result = conditions.set(List.of(),
        Condition.isFalse(ConditionTypes.SLOT_READY, "SlotMissing", "no slot"), 3L);

    assertThat(result).singleElement().satisfies(c -> {
      assertThat(c.getStatus()).isEqualTo(Condition.FALSE);
      assertThat(c.getLastTransitionTime()).isEqualTo("2026-01-01T10:00:00Z");
      assertThat(c.getObservedGeneration()).isEqualTo(3L);
    });
  }

  @Test
  void keepsTheTransitionTimeWhenOnlyTheMessageChanges() {
    List<Condition> first = conditions.set(List.of(),
        Condition.isFalse(ConditionTypes.SLOT_READY, "SlotMissing", "no slot"), 1L);
    now.set(Instant.parse("2026-01-01T10:05:00Z"));

    List<Condition> second = conditions.set(first,
        Condition.isFalse(ConditionTypes.SLOT_READY, "SlotLost", "wal_status is lost"), 2L);

    assertThat(second).singleElement().satisfies(c -> {
      assertThat(c.getReason()).isEqualTo("SlotLost");
      assertThat(c.getMessage()).isEqualTo("wal_status is lost");
      assertThat(c.getLastTransitionTime()).isEqualTo("2026-01-01T10:00:00Z");
      assertThat(c.getObservedGeneration()).isEqualTo(2L);
    });
  }

  @Test
  void movesTheTransitionTimeWhenTheStatusChanges() {
    List<Condition> first = conditions.set(List.of(),
        Condition.isFalse(ConditionTypes.SLOT_READY, "SlotMissing", "no slot"), 1L);
    now.set(Instant.parse("2026-01-01T10:05:00Z"));

    List<Condition> second = conditions.set(first,
        Condition.isTrue(ConditionTypes.SLOT_READY, Reasons.AVAILABLE, "slot exists"), 1L);

    assertThat(second).singleElement()
        .extracting(Condition::getLastTransitionTime).isEqualTo("2026-01-01T10:05:00Z");
  }

  @Test
  void replacesOnlyTheConditionOfTheSameTypeAndKeepsOrder() {
    List<Condition> start = conditions.set(
        conditions.set(List.of(), Condition.isTrue(ConditionTypes.DATABASE_READY, Reasons.AVAILABLE, "ok"), 1L),
        Condition.isFalse(ConditionTypes.SLOT_READY, "SlotMissing", "no slot"), 1L);

    List<Condition> result = conditions.set(start,
        Condition.isTrue(ConditionTypes.SLOT_READY, Reasons.AVAILABLE, "slot exists"), 1L);

    assertThat(result).extracting(Condition::getType)
        .containsExactly(ConditionTypes.DATABASE_READY, ConditionTypes.SLOT_READY);
    assertThat(start).extracting(Condition::getStatus).containsExactly(Condition.TRUE, Condition.FALSE);
    assertThat(Conditions.isTrue(result, ConditionTypes.SLOT_READY)).isTrue();
  }
}
