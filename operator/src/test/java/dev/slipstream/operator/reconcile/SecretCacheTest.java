package dev.slipstream.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SecretCacheTest {

  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-04T12:00:00Z"));
  private final Clock clock = new Clock() {
    @Override
    public ZoneOffset getZone() {
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
  };
  private final RecheckPace pace = new RecheckPace(Duration.ofSeconds(30), 10);
  private final SecretCache cache = new SecretCache(pace::interval, clock);

  @Test
  void aCopyServesUntilItIsAsOldAsTheRecheckInterval() {
    Secret secret = secret("acme-db");
    cache.keep(secret);
    later(29);
    assertThat(cache.cached("ns", "acme-db")).isSameAs(secret);
    later(1);
    assertThat(cache.cached("ns", "acme-db")).as("30 s old: read again").isNull();
  }

  @Test
  void aCopyServesAsLongAsTheRecheckIntervalPacedToTheTenantsNumber() {
    Secret secret = secret("acme-db");
    cache.keep(secret);
    pace.count(1_000);
    later(99);
    assertThat(cache.cached("ns", "acme-db")).as("1,000 tenants at 10 rechecks a second: 100 s").isSameAs(secret);
    later(1);
    assertThat(cache.cached("ns", "acme-db")).isNull();
  }

  @Test
  void aForgottenSecretIsReadAgain() {
    cache.keep(secret("acme-db"));
    cache.forget("ns", "acme-db");
    assertThat(cache.cached("ns", "acme-db")).isNull();
    assertThat(cache.cached("other", "acme-db")).as("namespaces apart").isNull();
  }

  @Test
  void expiredCopiesAreDroppedSoADeletedTenantsGoToo() {
    cache.keep(secret("a"));
    cache.keep(secret("b"));
    later(31);
    cache.keep(secret("c"));
    assertThat(cache.cached("ns", "c")).isNotNull();
    assertThat(cache.size()).isEqualTo(1);
  }

  private void later(long seconds) {
    now.set(now.get().plusSeconds(seconds));
  }

  private static Secret secret(String name) {
    return new SecretBuilder().withNewMetadata().withName(name).withNamespace("ns").endMetadata().build();
  }
}
