package dev.slipstream.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.operator.model.InvalidTenantException;
import dev.slipstream.operator.postgres.DatabaseException;
import io.fabric8.kubernetes.client.KubernetesClientException;
import dev.slipstream.operator.postgres.PublicationException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import io.javaoperatorsdk.operator.OperatorException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FailureTest {

  private static final DatabaseException UNREACHABLE = new DatabaseException("DatabaseUnreachable",
      "cannot reach PostgreSQL at db:5432/app: connection refused");
  private static final KubernetesClientException REFUSED = new KubernetesClientException("Deployment is invalid");

  @Test
  void theDatabasesFailureKeepsItsReasonAndMessage() {
    assertThat(Failure.of(UNREACHABLE))
        .isEqualTo(new Failure("DatabaseUnreachable", "cannot reach PostgreSQL at db:5432/app: connection refused", true));
  }

  @Test
  void anythingElseIsAReconcileErrorWithItsMessage() {
    assertThat(Failure.of(REFUSED)).isEqualTo(new Failure(Failure.RECONCILE_ERROR, "Deployment is invalid", false));
  }

  @Test
  void fromAWorkflowTheDatabasesFailureWinsAndNoStackTraceShows() {
    Map<String, Exception> steps = new LinkedHashMap<>();
    steps.put("deployment", REFUSED);
    steps.put("database", UNREACHABLE);
    assertThat(Failure.of(new AggregatedOperatorException("Exception(s) during workflow execution.", steps)))
        .isEqualTo(Failure.of(UNREACHABLE));

    Failure kubernetes = Failure.of(new AggregatedOperatorException("x", Map.of("deployment", REFUSED)));
    assertThat(kubernetes.message()).isEqualTo("Deployment is invalid").doesNotContain("\tat ");
  }

  @Test
  void throughJosdksMetricsWrapperTheReasonAndMessageStayThePersonsOwn() {
    // MicrometerMetrics.timeControllerExecution throws new OperatorException(e) for whatever failed.
    DatabaseException missingTable = new PublicationException("TableNotFound",
        "publication shop_orders: relation \"public.nope\" does not exist");
    Failure wrapped = Failure.of(new OperatorException(missingTable));
    assertThat(wrapped).isEqualTo(new Failure("TableNotFound", missingTable.getMessage(), true));

    assertThat(Failure.of(new OperatorException(new OperatorException(REFUSED))))
        .isEqualTo(new Failure(Failure.RECONCILE_ERROR, "Deployment is invalid", false));
    assertThat(Failure.of(new OperatorException(new MissingInputException(MissingInputException.SECRET_NOT_FOUND,
        "Secret acme-db not found")))).isEqualTo(new Failure("SecretNotFound", "Secret acme-db not found", false));
    assertThat(Failure.of(new OperatorException(new AggregatedOperatorException("x",
        Map.of("deployment", REFUSED, "database", new OperatorException(UNREACHABLE)))))).isEqualTo(Failure.of(UNREACHABLE));
  }

  @Test
  void aWrapperWithItsOwnWordsIsKept() {
    RuntimeException explained = new RuntimeException("applying the Deployment failed", REFUSED);
    assertThat(Failure.of(new OperatorException(explained)).message()).isEqualTo("applying the Deployment failed");
  }

  @Test
  void noMessageNamesAJavaClass() {
    for (Exception e : new Exception[] {new OperatorException(REFUSED), new OperatorException(UNREACHABLE),
        new RuntimeException(new IllegalStateException("the runtime model was not rendered"))}) {
      assertThat(Failure.of(e).message()).doesNotContain("Exception").doesNotContain("dev.slipstream")
          .doesNotContain("java.");
    }
  }

  @Test
  void onlyWhatAPersonMustFixBlocksCleanup() {
    assertThat(Failure.blocksCleanup(UNREACHABLE)).isTrue();
    assertThat(Failure.blocksCleanup(new MissingInputException(MissingInputException.SECRET_NOT_FOUND, "gone"))).isTrue();
    assertThat(Failure.blocksCleanup(new InvalidTenantException("spec.database is required"))).isTrue();
    assertThat(Failure.blocksCleanup(new AggregatedOperatorException("x", Map.of("slot", UNREACHABLE)))).isTrue();

    assertThat(Failure.blocksCleanup(new OperatorException(UNREACHABLE))).isTrue();
    assertThat(Failure.blocksCleanup(REFUSED)).isFalse();
    assertThat(Failure.blocksCleanup(new AggregatedOperatorException("x", Map.of("slot", UNREACHABLE, "other", REFUSED))))
        .isFalse();
  }
}
