package dev.slipstream.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.ReclaimPolicy;
import dev.slipstream.operator.config.OperatorConfig;
import dev.slipstream.operator.postgres.DatabaseException;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ReclaimPolicyCleanupTest {

  private static final Duration RECHECK = Duration.ofSeconds(30);

  private final ReclaimPolicyCleanup cleanup = new ReclaimPolicyCleanup(RECHECK);
  private final AtomicInteger drops = new AtomicInteger();

  @Test
  void retainKeepsTheObjectAndLetsTheResourceGo() {
    DeleteControl control = cleanup.cleanup(resource(Map.of()), ReclaimPolicy.RETAIN, "replication slot s", "", drops::incrementAndGet);
    assertThat(control.isRemoveFinalizer()).isTrue();
    assertThat(drops).hasValue(0);
  }

  @Test
  void deleteDropsItThenLetsTheResourceGo() {
    DeleteControl control = cleanup.cleanup(resource(Map.of()), ReclaimPolicy.DELETE, "replication slot s", "", drops::incrementAndGet);
    assertThat(control.isRemoveFinalizer()).isTrue();
    assertThat(drops).hasValue(1);
  }

  @Test
  void aDropThatCannotBeDoneYetKeepsTheResourceAndLooksAgain() {
    DeleteControl control = cleanup.cleanup(resource(Map.of()), ReclaimPolicy.DELETE, "replication slot s", "",
        this::unreachable);
    assertThat(control.isRemoveFinalizer()).isFalse();
    assertThat(control.getScheduleDelay()).contains(RECHECK.toMillis());
  }

  @Test
  void theForceDeleteAnnotationLetsItGoWithoutTheDrop() {
    DeleteControl control = cleanup.cleanup(resource(Map.of(OperatorConfig.FORCE_DELETE_ANNOTATION, "true")),
        ReclaimPolicy.DELETE, "replication slot s", "", this::unreachable);
    assertThat(control.isRemoveFinalizer()).isTrue();
  }

  @Test
  void anUnexpectedFailureIsThrownForTheFrameworkToRetry() {
    assertThatThrownBy(() -> cleanup.cleanup(resource(Map.of(OperatorConfig.FORCE_DELETE_ANNOTATION, "true")),
        ReclaimPolicy.DELETE, "replication slot s", "", () -> {
          throw new IllegalStateException("bug");
        })).isInstanceOf(IllegalStateException.class);
  }

  private void unreachable() {
    throw new DatabaseException("DatabaseUnreachable", "cannot reach PostgreSQL at db:5432/app");
  }

  private static RealtimeTenant resource(Map<String, String> annotations) {
    RealtimeTenant tenant = new RealtimeTenant();
    tenant.setMetadata(new ObjectMetaBuilder().withName("acme").withNamespace("acme").withAnnotations(annotations).build());
    return tenant;
  }
}
