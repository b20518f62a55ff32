package dev.slipstream.runtime.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateWindowTest {

  private final AtomicLong now = new AtomicLong(5_000_000_000L);
  private final RateWindow window = new RateWindow(3, now::get);

  @Test
  void allowsThePerSecondCountThenRefusesUntilTheNextSecond() {
    assertThat(window.tryAcquire()).isTrue();
    assertThat(window.tryAcquire()).isTrue();
    assertThat(window.tryAcquire()).isTrue();
    assertThat(window.tryAcquire()).isFalse();

    now.addAndGet(999_000_000L); // still the same second
    assertThat(window.tryAcquire()).isFalse();

    now.addAndGet(1_000_000L); // the next one
    assertThat(window.tryAcquire()).isTrue();
    assertThat(window.tryAcquire()).isTrue();
    assertThat(window.tryAcquire()).isTrue();
    assertThat(window.tryAcquire()).isFalse();
  }

  @Test
  void aNegativeNanoTimeOriginWorksToo() {
    now.set(-7_500_000_000L); // System.nanoTime may be negative
    for (int i = 0; i < 3; i++) {
      assertThat(window.tryAcquire()).isTrue();
    }
    assertThat(window.tryAcquire()).isFalse();
    now.addAndGet(1_000_000_000L);
    assertThat(window.tryAcquire()).isTrue();
  }
}
