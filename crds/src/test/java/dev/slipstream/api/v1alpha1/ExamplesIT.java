package dev.slipstream.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.testing.RepositoryLayout;
import dev.slipstream.testing.kube.CommandResult;
import dev.slipstream.testing.kube.KubeApiServerExtension;
import io.fabric8.kubernetes.api.model.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The manifests in {@code examples/} are accepted by a real API server, as the README tells users to apply them. */
class ExamplesIT {

  @RegisterExtension
  static final KubeApiServerExtension kube = KubeApiServerExtension.withSlipstreamCrds();

  @Test
  void theExamplesApplyAsDocumented() {
    CommandResult namespace = kube.kubectl("create", "namespace", "acme");
    assertThat(namespace.succeeded()).as(namespace.toString()).isTrue();

    CommandResult apply = kube.kubectl("apply", "-n", "acme", "-f", RepositoryLayout.examples().toString());

    assertThat(apply.succeeded()).as(apply.toString()).isTrue();
    assertThat(apply.stdout()).contains(
        "secret/acme-db created",
        "secret/acme-jwt created",
        "realtimetenant.realtime.slipstream.dev/acme created",
        "realtimepublication.realtime.slipstream.dev/acme-orders created");

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
  }
}
