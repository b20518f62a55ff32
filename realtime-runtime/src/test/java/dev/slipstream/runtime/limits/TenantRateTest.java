package dev.slipstream.runtime.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The tenant's total holds; clients over their own share may use only three quarters of it. */
class TenantRateTest {

  private final AtomicLong now = new AtomicLong(5_000_000_000L);

  @Test
  void heavyClientsLeaveAQuarterOfEachSecondToTheOthers() {
    TenantRate rate = new TenantRate(new RateWindow(100, now::get), 100);

    int heavy = 0;
    while (rate.tryAcquire(true)) {
      heavy++;
    }
    int light = 0;
    while (rate.tryAcquire(false)) {
      light++;
    }

    assertThat(heavy).isEqualTo(75);
    assertThat(light).isEqualTo(25);
    assertThat(rate.tryAcquire(false)).as("the tenant's total is the ceiling for everyone").isFalse();

    now.addAndGet(1_000_000_000L);
    assertThat(rate.tryAcquire(true)).isTrue();
  }
}
