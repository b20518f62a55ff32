package dev.slipstream.operator.model;

import dev.slipstream.api.v1alpha1.Endpoints;

/**
 * The in-cluster URLs of {@code status.endpoints}. They use {@code <service>.<namespace>.svc}
 * without the cluster domain, which resolves in every cluster whatever its domain is.
 */
final class RuntimeEndpoints {

  static final String WEBSOCKET_PATH = "/realtime/v1/websocket";
  static final String SSE_PATH = "/realtime/v1/sse";

  private RuntimeEndpoints() {
  }

  static Endpoints of(RuntimeModel model) {
    String authority = model.names().runtime() + "." + model.namespace() + ".svc:" + RuntimeModel.HTTP_PORT;
    Endpoints endpoints = new Endpoints();
    endpoints.setWebsocket((model.servesTls() ? "wss://" : "ws://") + authority + WEBSOCKET_PATH);
    endpoints.setSse((model.servesTls() ? "https://" : "http://") + authority + SSE_PATH);
    return endpoints;
  }
}
