package dev.slipstream.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.testing.postgres.TestPostgres;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Sessions kept between reconciles: handed out again to the same settings only, bounded in number and time. */
class IdleSessionsIT {

  @RegisterExtension
  static final TestPostgres postgres = TestPostgres.logical();

  @Test
  void aClosedSessionServesTheNextOpenOfTheSameSettings() {
    try (IdleSessions idle = new IdleSessions(4, Duration.ofMinutes(1))) {
      ConnectionSettings settings = TestDatabases.superuser(postgres);
      TenantDatabase first = TenantDatabase.open(settings, idle);
      first.close();
      assertThat(idle.size()).isEqualTo(1);

      try (TenantDatabase second = TenantDatabase.open(settings, idle)) {
        assertThat(idle.size()).isZero();
        assertThat(second.check(null).database()).isEqualTo(postgres.database());
      }
      // Other settings (here: other timeouts) never get it.
      ConnectionSettings other = settings.withTimeouts(new ConnectionSettings.Timeouts(Duration.ofSeconds(1),
          Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofSeconds(1)));
      try (TenantDatabase third = TenantDatabase.open(other, idle)) {
        assertThat(idle.size()).isEqualTo(1);
      }
      assertThat(idle.size()).isEqualTo(2);
    }
  }

  @Test
  void keepsAtMostItsCapacityAndClosesWhatWaitedTooLong() {
    try (IdleSessions idle = new IdleSessions(1, Duration.ofMillis(300))) {
      ConnectionSettings settings = TestDatabases.superuser(postgres);
      TenantDatabase first = TenantDatabase.open(settings, idle);
      TenantDatabase second = TenantDatabase.open(settings, idle);
      first.close();
      second.close();
      assertThat(idle.size()).isEqualTo(1);
      await().atMost(Duration.ofSeconds(10)).until(() -> idle.size() == 0);
    }
  }

  @Test
  void noneKeepsNothing() {
    try (IdleSessions idle = IdleSessions.none()) {
      TenantDatabase.open(TestDatabases.superuser(postgres), idle).close();
      assertThat(idle.size()).isZero();
    }
  }
}
