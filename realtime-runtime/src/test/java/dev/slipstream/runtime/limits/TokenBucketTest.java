package dev.slipstream.runtime.limits;

import static org.assertj.core.api.Assertions.assertThat;

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
  void aClientBelowHalfItsBurstIsHeavy() {
    TokenBucket bucket = new TokenBucket(10, 20, now::get);
    bucket.charge(10);
    assertThat(bucket.heavy()).isFalse();

    bucket.charge(1);

    assertThat(bucket.heavy()).isTrue();
  }
}
