package dev.slipstream.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.testing.RepositoryLayout;
import dev.slipstream.testing.kube.CommandResult;
import dev.slipstream.testing.kube.KubeApiServerExtension;
import io.fabric8.kubernetes.api.model.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The manifests in {@code examples/} are accepted by a real API server as the README tells users to
 * apply them ({@code kubectl apply -f examples/}, the namespace included); the files beside them
 * (schema.sql, token.sh, web/) are not manifests and are left alone.
 */
class ExamplesIT {

  @RegisterExtension
  static final KubeApiServerExtension kube = KubeApiServerExtension.withSlipstreamCrds();

  @Test
  void theExamplesApplyAsDocumented() {
    CommandResult apply = kube.kubectl("apply", "-f", RepositoryLayout.examples().toString());

    assertThat(apply.succeeded()).as(apply.toString()).isTrue();
    assertThat(apply.stdout().lines()).containsExactlyInAnyOrder(
        "namespace/acme created",
        "secret/acme-db created",
        "secret/acme-jwt created",
        "realtimetenant.realtime.slipstream.dev/acme created",
        "realtimepublication.realtime.slipstream.dev/acme-messages created",
        "realtimepublication.realtime.slipstream.dev/acme-orders created");
    assertThat(kube.client().namespaces().withName("acme").get().getMetadata().getLabels())
        .containsEntry("pod-security.kubernetes.io/enforce", "restricted");

    RealtimeTenant tenant = kube.client().resources(RealtimeTenant.class).inNamespace("acme").withName("acme").get();
    String secretName = tenant.getSpec().getDatabase().getCredentialsSecretRef().getName();
    Secret secret = kube.client().secrets().inNamespace("acme").withName(secretName).get();
    assertThat(secret.getData()).containsKeys(
        tenant.getSpec().getDatabase().getCredentialsSecretRef().getUsernameKey(),
        tenant.getSpec().getDatabase().getCredentialsSecretRef().getPasswordKey());
    assertThat(tenant.getSpec().getReplication().getSlotName()).isEqualTo("slipstream_acme");

    RealtimePublication publication =
        kube.client().resources(RealtimePublication.class).inNamespace("acme").withName("acme-orders").get();
    assertThat(publication.getSpec().getTenantRef().getName()).isEqualTo(tenant.getMetadata().getName());
    assertThat(publication.getSpec().getAccess()).singleElement().satisfies(rule -> {
      assertThat(rule.getTable()).isEqualTo("public.orders");
      assertThat(rule.getClaim()).isEqualTo("sub");
    });
    RealtimePublication messages =
        kube.client().resources(RealtimePublication.class).inNamespace("acme").withName("acme-messages").get();
    assertThat(messages.getSpec().getTables()).singleElement().satisfies(table -> {
      assertThat(table.getColumns()).isNotEmpty();
      assertThat(table.getWhere()).isNotBlank();
    });
  }
}
