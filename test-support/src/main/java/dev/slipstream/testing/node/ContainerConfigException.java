package dev.slipstream.testing.node;

/**
 * A container that cannot be configured yet: a ConfigMap or Secret it needs is missing, a field it
 * reads is not emulated, its image is unknown here. The kubelet reports the same as the container's
 * waiting reason ({@code CreateContainerConfigError}, {@code ErrImagePull}) and tries again.
 */
final class ContainerConfigException extends Exception {

  private final String reason;

  ContainerConfigException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  static ContainerConfigException config(String message) {
    return new ContainerConfigException("CreateContainerConfigError", message);
  }

  String reason() {
    return reason;
  }
}
