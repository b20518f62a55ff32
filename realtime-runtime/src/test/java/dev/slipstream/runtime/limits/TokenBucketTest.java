package dev.slipstream.runtime.limits;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.data.Offset.offset;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A client's allowance: charged always, owing time when over it, refilled by the clock. */
class TokenBucketTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  @Test
  void aBurstUpToTheCapacityOwesNothing() {
    TokenBucket bucket = new TokenBucket(10, 20, now::get);

    for (int i = 0; i < 20; i++) {
      assertThat(bucket.charge(1)).isZero();
    }
    assertThat(bucket.charge(1)).as("one token short at 10 per second").isEqualTo(100_000_000L);
    assertThat(bucket.charge(1)).isEqualTo(200_000_000L);
  }

  @Test
  void theClockRefillsUpToTheCapacityOnly() {
    TokenBucket bucket = new TokenBucket(10, 20, now::get);
    bucket.charge(20);

    now.addAndGet(500_000_000L); // five tokens
    assertThat(bucket.charge(5)).isZero();
    assertThat(bucket.charge(1)).isPositive();

    now.addAndGet(60_000_000_000L);
    assertThat(bucket.charge(20)).isZero();
    assertThat(bucket.charge(1)).isPositive();
  }

  @Test
  void whatIsSentWhileAlreadyInDebtIsRefusedWithoutBeingCharged() {
    TokenBucket bucket = new TokenBucket(10, 20, now::get);
    bucket.take(19.5);

    assertThat(bucket.take(1)).as("half a token left: served, into debt").isTrue();
    long owed = bucket.owedNanos();
    assertThat(owed).as("half a token at 10 per second").isCloseTo(50_000_000L, offset(1_000L));
    for (int i = 0; i < 100; i++) {
      assertThat(bucket.take(1)).as("in debt already").isFalse();
    }
    assertThat(bucket.owedNanos()).as("refusals cost nothing").isEqualTo(owed);

    now.addAndGet(owed + 1_000);
    assertThat(bucket.take(1)).isTrue();
  }

  @Test
  void bytesAreChargedWhateverTheAllowanceUpToOneBurstOfDebt() {
    TokenBucket bucket = new TokenBucket(10, 20, now::get);

    assertThat(bucket.charge(1_000)).as("two seconds at most").isCloseTo(2_000_000_000L, offset(1_000L));
  }

  @Test
  void aClientBelowHalfItsBurstIsHeavy() {
    TokenBucket bucket = new TokenBucket(10, 20, now::get);
    bucket.charge(10);
    assertThat(bucket.heavy()).isFalse();

    bucket.charge(1);

    assertThat(bucket.heavy()).isTrue();
  }
}
