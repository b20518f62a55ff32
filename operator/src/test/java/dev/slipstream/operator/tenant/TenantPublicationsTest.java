package dev.slipstream.operator.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.api.v1alpha1.Condition;
import dev.slipstream.api.v1alpha1.ConditionTypes;
import dev.slipstream.api.v1alpha1.Reasons;
import dev.slipstream.api.v1alpha1.RealtimePublication;
import dev.slipstream.api.v1alpha1.RealtimePublicationStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class TenantPublicationsTest {

  @Test
  void publicationsNotReconciledYetAreWorkInProgressNotAProblem() {
    Condition condition = TenantPublications.condition(List.of(publication("a", null), publication("b", ready())));
    assertThat(condition.getStatus()).isEqualTo(Condition.FALSE);
    assertThat(condition.getReason()).isEqualTo(Reasons.RECONCILING);
    assertThat(condition.getMessage()).isEqualTo("1 of 2 publication(s) not ready: a (not reconciled yet)");
  }

  @Test
  void aPublicationWithAProblemNamesItWhateverTheOthersDo() {
    RealtimePublicationStatus missing = new RealtimePublicationStatus();
    missing.setConditions(List.of(Condition.isFalse(ConditionTypes.READY, "TableNotFound", "no table")));
    Condition condition = TenantPublications.condition(List.of(publication("a", null), publication("b", missing)));
    assertThat(condition.getReason()).isEqualTo(TenantPublications.PUBLICATIONS_NOT_READY);
    assertThat(condition.getMessage())
        .isEqualTo("2 of 2 publication(s) not ready: a (not reconciled yet), b (TableNotFound)");
  }

  @Test
  void readyWhenEveryOneIs() {
    assertThat(TenantPublications.condition(List.of(publication("a", ready()))).getStatus()).isEqualTo(Condition.TRUE);
    assertThat(TenantPublications.condition(List.of()).getMessage()).isEqualTo("no publications");
  }

  private static RealtimePublicationStatus ready() {
    RealtimePublicationStatus status = new RealtimePublicationStatus();
    status.setConditions(List.of(Condition.isTrue(ConditionTypes.READY, Reasons.AVAILABLE, "ready")));
    return status;
  }

  private static RealtimePublication publication(String name, RealtimePublicationStatus status) {
    RealtimePublication publication = new RealtimePublication();
    publication.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("ns").build());
    publication.setStatus(status);
    return publication;
  }
}
