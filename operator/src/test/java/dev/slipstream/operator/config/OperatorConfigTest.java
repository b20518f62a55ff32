package dev.slipstream.operator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OperatorConfigTest {

  @Test
  void defaultsWatchEverythingWithTextLogs() {
    OperatorConfig config = OperatorConfig.fromEnv(Map.of());
    assertThat(config.watchesAllNamespaces()).isTrue();
    assertThat(config.defaultRuntimeImage()).isEqualTo(OperatorConfig.DEFAULT_RUNTIME_IMAGE);
    assertThat(config.reconcileThreads()).isEqualTo(10);
    assertThat(config.recheckInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.publicationRecheckInterval()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.logFormat()).isEqualTo("text");
    assertThat(config.runtimeReportTimeout()).isEqualTo(Duration.ofSeconds(15));
  }

  @Test
  void readsEveryVariable() {
    OperatorConfig config = OperatorConfig.fromEnv(Map.of(
        "SLIPSTREAM_WATCH_NAMESPACES", " a, b ,,",
        "SLIPSTREAM_RUNTIME_IMAGE", "registry.example/slipstream-runtime:1.2.3",
        "SLIPSTREAM_RECONCILE_THREADS", "3",
        "SLIPSTREAM_RECHECK_INTERVAL", "PT1M",
        "SLIPSTREAM_PUBLICATION_RECHECK_INTERVAL", "600",
        "SLIPSTREAM_LOG_FORMAT", "json",
        "SLIPSTREAM_RUNTIME_REPORT_TIMEOUT", "PT20S"));
    assertThat(config.watchedNamespaces()).isEqualTo(Set.of("a", "b"));
    assertThat(config.defaultRuntimeImage()).isEqualTo("registry.example/slipstream-runtime:1.2.3");
    assertThat(config.reconcileThreads()).isEqualTo(3);
    assertThat(config.recheckInterval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(config.publicationRecheckInterval()).isEqualTo(Duration.ofMinutes(10));
    assertThat(config.logFormat()).isEqualTo("json");
    assertThat(config.runtimeReportTimeout()).isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  void anUnknownLogFormatIsRefusedByName() {
    assertThatThrownBy(() -> OperatorConfig.fromEnv(Map.of("SLIPSTREAM_LOG_FORMAT", "xml")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("SLIPSTREAM_LOG_FORMAT must be text or json, not 'xml'");
  }

  @Test
  void aZeroReportTimeoutIsRefusedByName() {
    assertThatThrownBy(() -> OperatorConfig.fromEnv(Map.of("SLIPSTREAM_RUNTIME_REPORT_TIMEOUT", "0")))
        .hasMessageContaining("SLIPSTREAM_RUNTIME_REPORT_TIMEOUT");
  }

  @Test
  void aZeroRecheckIntervalIsRefusedByName() {
    assertThatThrownBy(() -> OperatorConfig.fromEnv(Map.of("SLIPSTREAM_PUBLICATION_RECHECK_INTERVAL", "0")))
        .hasMessage("SLIPSTREAM_PUBLICATION_RECHECK_INTERVAL must be positive, not PT0S");
  }

  @Test
  void zeroThreadsIsRefused() {
    assertThatThrownBy(() -> OperatorConfig.fromEnv(Map.of("SLIPSTREAM_RECONCILE_THREADS", "0")))
        .hasMessageContaining("SLIPSTREAM_RECONCILE_THREADS");
  }
}
