package dev.slipstream.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PostgresVersionTest {

  @Test
  void displaysModernVersionsFromTheNumber() {
    assertThat(PostgresVersion.of(140011).display()).isEqualTo("14.11");
    assertThat(PostgresVersion.of(170005).display()).isEqualTo("17.5");
    assertThat(PostgresVersion.of(150000).display()).isEqualTo("15.0");
  }

  @Test
  void displaysPreTenVersionsWithThreeParts() {
    assertThat(PostgresVersion.of(90624).display()).isEqualTo("9.6.24");
  }

  @Test
  void prefersTheServersOwnTextWithoutThePackagerSuffix() {
    assertThat(new PostgresVersion(140011, "14.11 (Debian 14.11-1.pgdg120+2)").display()).isEqualTo("14.11");
    assertThat(new PostgresVersion(180000, "18beta1").display()).isEqualTo("18beta1");
  }

  @Test
  void comparesByNumber() {
    assertThat(PostgresVersion.of(150000).atLeast(PostgresVersion.PUBLICATION_FILTERS)).isTrue();
    assertThat(PostgresVersion.of(149999).atLeast(PostgresVersion.PUBLICATION_FILTERS)).isFalse();
  }
}
