package dev.slipstream.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.api.v1alpha1.Endpoints;
import org.junit.jupiter.api.Test;

class RuntimeEndpointsTest {

  @Test
  void inClusterUrlsOfTheClientService() {
    Endpoints endpoints = TenantFixtures.acmeModel().endpoints();
    assertThat(endpoints.getWebsocket()).isEqualTo("ws://acme-runtime.acme.svc:4000/realtime/v1/websocket");
    assertThat(endpoints.getSse()).isEqualTo("http://acme-runtime.acme.svc:4000/realtime/v1/sse");
  }

  @Test
  void pointAtTheClientService() {
    RuntimeModel model = TenantFixtures.acmeModel();
    var service = model.generateService();
    String host = service.getMetadata().getName() + "." + service.getMetadata().getNamespace() + ".svc:"
        + service.getSpec().getPorts().getFirst().getPort();
    assertThat(model.endpoints().getWebsocket()).contains("//" + host + "/");
    assertThat(model.endpoints().getSse()).contains("//" + host + "/");
  }
}
