package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** TLS on the runtime's client port, and with it on the relay between the tenant's pods. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RuntimeTlsSpec {

  @Required
  @JsonPropertyDescription("Secret of type kubernetes.io/tls (keys tls.crt and tls.key, PEM; the key unencrypted "
      + "PKCS#8, BEGIN PRIVATE KEY, as cert-manager writes with privateKey.encoding PKCS8) whose certificate the "
      + "runtime serves on its client port: clients connect with wss:// and https://, and the probes and /metrics "
      + "use HTTPS too. The runtime reads the mounted files again every 30 s, so a renewed certificate reaches new "
      + "connections without a restart once the kubelet has updated the mount (about a minute). The relay between "
      + "the tenant's pods then speaks TLS with the same certificate: a follower accepts the leader's certificate "
      + "only if it chains to the Secret's ca.crt (without one: only if it is the Secret's own certificate) and "
      + "is valid for the first subject alternative name of the Secret's certificate.")
  private TlsSecretRef secretRef;

  public TlsSecretRef getSecretRef() {
    return secretRef;
  }

  public void setSecretRef(TlsSecretRef secretRef) {
    this.secretRef = secretRef;
  }
}
