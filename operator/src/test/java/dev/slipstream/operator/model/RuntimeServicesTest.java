package dev.slipstream.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import org.junit.jupiter.api.Test;

class RuntimeServicesTest {

  private final RuntimeModel model = TenantFixtures.acmeModel();

  @Test
  void clientServiceSendsPort4000ToReadyPods() {
    Service service = model.generateService();
    TenantFixtures.assertRuntimeMetadata(service, "acme-runtime");
    assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(service.getSpec().getClusterIP()).isNull();
    assertThat(service.getSpec().getPublishNotReadyAddresses()).isNull();
    assertThat(service.getSpec().getSelector()).containsExactlyInAnyOrderEntriesOf(TenantFixtures.SELECTOR);
    assertThat(service.getSpec().getPorts()).singleElement().satisfies(port -> {
      assertThat(port.getName()).isEqualTo("http");
      assertThat(port.getPort()).isEqualTo(4000);
      assertThat(port.getTargetPort()).isEqualTo(new IntOrString("http"));
      assertThat(port.getProtocol()).isEqualTo("TCP");
    });
  }

  @Test
  void relayServiceIsHeadlessAndListsEveryPod() {
    Service service = model.generateRelayService();
    TenantFixtures.assertRuntimeMetadata(service, "acme-runtime-relay");
    assertThat(service.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(service.getSpec().getPublishNotReadyAddresses()).isTrue();
    assertThat(service.getSpec().getSelector()).containsExactlyInAnyOrderEntriesOf(TenantFixtures.SELECTOR);
    assertThat(service.getSpec().getPorts()).singleElement().satisfies(port -> {
      assertThat(port.getName()).isEqualTo("relay");
      assertThat(port.getPort()).isEqualTo(4001);
      assertThat(port.getTargetPort()).isEqualTo(new IntOrString("relay"));
      assertThat(port.getProtocol()).isEqualTo("TCP");
    });
  }

  @Test
  void servicePortsNameContainerPorts() {
    var containerPorts = model.generateDeployment().getSpec().getTemplate().getSpec().getContainers().getFirst()
        .getPorts();
    for (Service service : new Service[] {model.generateService(), model.generateRelayService()}) {
      var port = service.getSpec().getPorts().getFirst();
      assertThat(containerPorts).anySatisfy(containerPort -> {
        assertThat(containerPort.getName()).isEqualTo(port.getTargetPort().getStrVal());
        assertThat(containerPort.getContainerPort()).isEqualTo(port.getPort());
      });
    }
  }
}
