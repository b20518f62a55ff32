package dev.slipstream.operator.model;

import static dev.slipstream.operator.model.TenantFixtures.JWT_SECRET;
import static dev.slipstream.operator.model.TenantFixtures.PASSWORD;
import static dev.slipstream.operator.model.TenantFixtures.RELAY_KEY;
import static dev.slipstream.operator.model.TenantFixtures.USERNAME;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Secret values reach the pods only through secretKeyRef: no generated object may contain one. */
class NoSecretLeakTest {

  @Test
  void noSecretValueInAnyGeneratedObject() {
    RuntimeModel model = TenantFixtures.acmeModel();
    StringBuilder everything = new StringBuilder();
    for (HasMetadata object : TenantFixtures.allObjects(model)) {
      everything.append(Serialization.asYaml(object));
    }
    everything.append(Serialization.asYaml(model.generateDeployment(null)));
    everything.append(Serialization.asYaml(model.endpoints()));
    everything.append(model.configData()).append(model.configChecksum());
    String yaml = everything.toString();

    assertThat(yaml).contains("kind: \"Deployment\"", "kind: \"ConfigMap\"", "kind: \"Role\"", "secretKeyRef");
    for (String secret : List.of(PASSWORD, USERNAME, JWT_SECRET, RELAY_KEY)) {
      assertThat(yaml).doesNotContain(secret)
          .doesNotContain(Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)));
    }
  }
}
