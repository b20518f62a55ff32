package dev.slipstream.runtime.status;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.RuntimePodStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The server-side apply bodies of one pod's entry of {@code status.runtime.pods[]}, and the field
 * manager they are applied under. Pure: no I/O.
 *
 * <p>A body names the tenant and holds only this pod's entry: with server-side apply a manager owns
 * exactly what it sends, and {@code pods} is a map-list keyed by {@code name}, so the entry is this
 * manager's while the other pods' entries and the operator's fields stay theirs. Applying a body
 * without the entry makes the manager own nothing: the API server drops what it alone owned, the
 * entry.
 */
record StatusPatches(String namespace, String tenant, String pod) {

  /** The API server rejects longer field managers. */
  static final int MAX_FIELD_MANAGER = 128;
  static final String FIELD_MANAGER_PREFIX = "slipstream-runtime-";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * {@code slipstream-runtime-<pod>}; for a pod name too long for that, its start and a hash of the
   * whole name: the same pod always gets the same manager (or its entry would outlive it under the
   * old one), and two pods sharing a long prefix still get different ones.
   */
  String fieldManager() {
    String manager = FIELD_MANAGER_PREFIX + pod;
    if (manager.length() <= MAX_FIELD_MANAGER) {
      return manager;
    }
    String hash = HexFormat.of().formatHex(sha256(pod), 0, 4);
    int keep = MAX_FIELD_MANAGER - FIELD_MANAGER_PREFIX.length() - hash.length() - 1;
    return FIELD_MANAGER_PREFIX + pod.substring(0, keep) + "-" + hash;
  }

  /** The body with this pod's entry; its name is set to the pod's. */
  String withEntry(RuntimePodStatus entry) {
    entry.setName(pod);
    ObjectNode body = identity();
    body.putObject("status").putObject("runtime").putArray("pods").add(JSON.valueToTree(entry));
    return body.toString();
  }

  /** The body without the entry: applying it removes what this pod's manager alone owns. */
  String withoutEntry() {
    return identity().toString();
  }

  private ObjectNode identity() {
    ObjectNode body = JSON.createObjectNode();
    body.put("apiVersion", HasMetadata.getApiVersion(RealtimeTenant.class));
    body.put("kind", HasMetadata.getKind(RealtimeTenant.class));
    body.putObject("metadata").put("name", tenant).put("namespace", namespace);
    return body;
  }

  /** A failed write in one line: the HTTP status and the API server's message, or the cause (never a header). */
  static String describe(RuntimeException e) {
    if (e instanceof KubernetesClientException k && k.getCode() > 0) {
      String message = k.getStatus() != null && k.getStatus().getMessage() != null ? k.getStatus().getMessage()
          : k.getClass().getSimpleName();
      String hint = switch (k.getCode()) {
        case 404 -> " (the tenant, or its resource type, does not exist yet)";
        case 403 -> " (the pod's ServiceAccount may not patch realtimetenants/status)";
        default -> "";
      };
      return "HTTP " + k.getCode() + ": " + message + hint;
    }
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
