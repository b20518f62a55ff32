package dev.slipstream.e2e;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * What kube-proxy does for a client of a Service, without iptables: reads the Service's
 * EndpointSlices and picks a ready endpoint, its pod address and the port the Service's named port
 * points at.
 */
final class ServiceProxy {

  private ServiceProxy() {
  }

  /** {@code http://<pod IP>:<port>} of every ready endpoint of the Service's port {@code portName}. */
  static List<URI> readyEndpoints(KubernetesClient client, String namespace, String service, String portName) {
    List<URI> endpoints = new ArrayList<>();
    for (EndpointSlice slice : client.discovery().v1().endpointSlices().inNamespace(namespace)
        .withLabel("kubernetes.io/service-name", service).list().getItems()) {
      Integer port = slice.getPorts() == null ? null : slice.getPorts().stream()
          .filter(p -> portName.equals(p.getName())).map(EndpointPort::getPort).findFirst().orElse(null);
      if (port == null || slice.getEndpoints() == null) {
        continue;
      }
      for (Endpoint endpoint : slice.getEndpoints()) {
        if (endpoint.getConditions() != null && Boolean.TRUE.equals(endpoint.getConditions().getReady())) {
          endpoints.add(URI.create("http://" + endpoint.getAddresses().getFirst() + ":" + port));
        }
      }
    }
    return endpoints;
  }
}
