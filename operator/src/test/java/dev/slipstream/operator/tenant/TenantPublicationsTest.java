package dev.slipstream.operator.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.api.v1alpha1.Condition;
import dev.slipstream.api.v1alpha1.ConditionTypes;
import dev.slipstream.api.v1alpha1.Reasons;
import dev.slipstream.api.v1alpha1.RealtimePublication;
import dev.slipstream.api.v1alpha1.RealtimePublicationStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import dev.slipstream.api.v1alpha1.RealtimePublicationSpec;
import dev.slipstream.api.v1alpha1.TenantRef;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.List;
import java.util.function.Predicate;
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

  @Test
  void arrivalAndReadinessWaitWhileTheTenantWaitsForItsPods() {
    RealtimePublication before = named(publication("a", null), "acme");
    RealtimePublication after = named(publication("a", ready()), "acme");
    Predicate<ResourceID> waiting = id -> id.equals(new ResourceID("acme", "ns"));
    assertThat(TenantPublications.arrivalMatters(before, waiting)).isFalse();
    assertThat(TenantPublications.changeMatters(after, before, waiting)).isFalse();
    // Once a pod is ready the tenant hears at once.
    assertThat(TenantPublications.arrivalMatters(before, id -> false)).isTrue();
    assertThat(TenantPublications.changeMatters(after, before, id -> false)).isTrue();
  }

  @Test
  void specChangesAndDeletionAlwaysBringTheTenantBack() {
    RealtimePublication before = named(publication("a", ready()), "acme");
    RealtimePublication edited = named(publication("a", ready()), "acme");
    edited.getMetadata().setGeneration(2L);
    RealtimePublication deleting = named(publication("a", ready()), "acme");
    deleting.getMetadata().setDeletionTimestamp("2026-12-04T00:00:00Z");
    assertThat(TenantPublications.changeMatters(edited, before, id -> true)).isTrue();
    assertThat(TenantPublications.changeMatters(deleting, before, id -> true)).isTrue();
    // Nothing the tenant reads moved.
    assertThat(TenantPublications.changeMatters(named(publication("a", ready()), "acme"), before, id -> false)).isFalse();
  }

  @Test
  void aPublicationNamingNoTenantBringsNoneBack() {
    assertThat(TenantPublications.arrivalMatters(publication("a", null), id -> false)).isFalse();
  }

  private static RealtimePublication named(RealtimePublication publication, String tenant) {
    RealtimePublicationSpec spec = new RealtimePublicationSpec();
    spec.setTenantRef(new TenantRef(tenant));
    publication.setSpec(spec);
    return publication;
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
