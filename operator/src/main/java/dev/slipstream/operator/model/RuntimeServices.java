package dev.slipstream.operator.model;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;

/** The runtime's two Services: one for clients, one for the pods to find each other. */
final class RuntimeServices {

  private RuntimeServices() {
  }

  /** {@code <tenant>-runtime}: ClusterIP, port 4000 to the pods' {@code http} port; only ready pods. */
  static Service clientService(RuntimeModel model) {
    return new ServiceBuilder()
        .withMetadata(model.metadata(model.names().runtime()))
        .withNewSpec()
          .withType("ClusterIP")
          .withSelector(RuntimeLabels.selector(model.tenantName()))
          .addNewPort()
            .withName(RuntimeModel.HTTP_PORT_NAME)
            .withProtocol("TCP")
            .withPort(RuntimeModel.HTTP_PORT)
            .withTargetPort(new IntOrString(RuntimeModel.HTTP_PORT_NAME))
          .endPort()
        .endSpec()
        .build();
  }

  /**
   * {@code <tenant>-runtime-relay}: headless, so each pod has a DNS record of its own, and listing
   * pods that are not ready, because a follower becomes ready only after it has reached the leader
   * through this very Service.
   */
  static Service relayService(RuntimeModel model) {
    return new ServiceBuilder()
        .withMetadata(model.metadata(model.names().relayService()))
        .withNewSpec()
          .withClusterIP("None")
          .withPublishNotReadyAddresses(true)
          .withSelector(RuntimeLabels.selector(model.tenantName()))
          .addNewPort()
            .withName(RuntimeModel.RELAY_PORT_NAME)
            .withProtocol("TCP")
            .withPort(RuntimeModel.RELAY_PORT)
            .withTargetPort(new IntOrString(RuntimeModel.RELAY_PORT_NAME))
          .endPort()
        .endSpec()
        .build();
  }
}
