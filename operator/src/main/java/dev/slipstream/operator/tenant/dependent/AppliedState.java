package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Whether a runtime object on the server is what the tenant workflow would apply, told without
 * server-side apply's {@code managedFields}: JOSDK's matcher reads them, and they were about a third
 * of the operator's heap per tenant in the workflow's caches. Two checks, both needed:
 * <ol>
 *   <li>the object carries the digest of the desired object it was last applied from
 *       ({@value #DIGEST_ANNOTATION}): any change of the desired state, a field added or removed
 *       included, changes the digest;
 *   <li>every value the desired object sets is on the server as it was set: someone else's edit of
 *       a field the operator sets is undone at the next reconcile. What the server or others add
 *       (defaults, status, other managers' fields, annotations) is not compared.
 * </ol>
 * Resource quantities compare by amount ({@code 0.5} is {@code 500m}, as the server writes it); an
 * empty map or list is the same as none (the server drops them).
 */
public final class AppliedState {

  /** The digest of the desired object an object was last applied from. */
  public static final String DIGEST_ANNOTATION = RealtimeTenant.GROUP + "/applied-digest";

  private AppliedState() {
  }

  /** Puts the desired object's digest (of everything but this annotation) into its annotations. */
  static <R extends HasMetadata> R stamp(R desired, KubernetesSerialization serialization) {
    Map<String, String> annotations = desired.getMetadata().getAnnotations() == null ? new LinkedHashMap<>()
        : new LinkedHashMap<>(desired.getMetadata().getAnnotations());
    annotations.remove(DIGEST_ANNOTATION);
    desired.getMetadata().setAnnotations(annotations.isEmpty() ? null : annotations);
    String digest = digestOf(serialization.convertValue(desired, Map.class), serialization);
    annotations.put(DIGEST_ANNOTATION, digest);
    desired.getMetadata().setAnnotations(annotations);
    return desired;
  }

  /** Whether {@code actual} was applied from {@code desired} and still holds every value it sets. */
  static boolean matches(HasMetadata actual, HasMetadata desired, KubernetesSerialization serialization) {
    return sameDigest(actual, desired)
        && holds(serialization.convertValue(actual, Map.class), serialization.convertValue(desired, Map.class), false);
  }

  /**
   * Whether {@code actual} was applied from {@code desired} and its metadata still holds every label
   * and annotation it sets; the rest is the caller's to check ({@link AppliedTemplates}).
   */
  static boolean metadataMatches(HasMetadata actual, HasMetadata desired, KubernetesSerialization serialization) {
    return sameDigest(actual, desired) && holds(serialization.convertValue(actual.getMetadata(), Map.class),
        serialization.convertValue(desired.getMetadata(), Map.class), false);
  }

  private static boolean sameDigest(HasMetadata actual, HasMetadata desired) {
    String wanted = digestOf(desired);
    return wanted != null && wanted.equals(digestOf(actual));
  }

  /** The digest of a value as JSON with every map's keys in order. */
  static String digestOf(Object value, KubernetesSerialization serialization) {
    return digest(serialization.asJson(sorted(value)));
  }

  private static String digestOf(HasMetadata object) {
    Map<String, String> annotations = object.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(DIGEST_ANNOTATION);
  }

  /**
   * Whether {@code actual} holds every value of {@code desired}: maps by key (more keys allowed),
   * lists item by item (the same length), anything else equal.
   *
   * @param quantities whether the values are resource quantities (under a container's {@code resources})
   */
  static boolean holds(Object actual, Object desired, boolean quantities) {
    if (desired instanceof Map<?, ?> wanted) {
      if (wanted.isEmpty()) {
        return actual == null || actual instanceof Map<?, ?>;
      }
      if (!(actual instanceof Map<?, ?> present)) {
        return false;
      }
      for (Map.Entry<?, ?> entry : wanted.entrySet()) {
        if (!holds(present.get(entry.getKey()), entry.getValue(), quantities || "resources".equals(entry.getKey()))) {
          return false;
        }
      }
      return true;
    }
    if (desired instanceof List<?> wanted) {
      if (wanted.isEmpty()) {
        return actual == null || actual instanceof List<?> present && present.isEmpty();
      }
      if (!(actual instanceof List<?> present) || present.size() != wanted.size()) {
        return false;
      }
      for (int i = 0; i < wanted.size(); i++) {
        if (!holds(present.get(i), wanted.get(i), quantities)) {
          return false;
        }
      }
      return true;
    }
    if (Objects.equals(actual, desired)) {
      return true;
    }
    if (actual instanceof Number a && desired instanceof Number d) {
      return new BigDecimal(a.toString()).compareTo(new BigDecimal(d.toString())) == 0;
    }
    return quantities && actual != null && desired != null && sameQuantity(actual.toString(), desired.toString());
  }

  private static boolean sameQuantity(String actual, String desired) {
    try {
      return new Quantity(actual).equals(new Quantity(desired));
    } catch (IllegalArgumentException | ArithmeticException e) {
      return false;
    }
  }

  /** The map with its keys (and those of every map in it) in order: the digest must not depend on insertion order. */
  @SuppressWarnings("unchecked")
  private static Object sorted(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> sorted = new TreeMap<>();
      map.forEach((k, v) -> sorted.put(String.valueOf(k), sorted(v)));
      return sorted;
    }
    if (value instanceof List<?> list) {
      return list.stream().map(AppliedState::sorted).toList();
    }
    return value;
  }

  private static String digest(String json) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(json.getBytes(StandardCharsets.UTF_8));
      // 128 bits tell any two desired states of one object apart; the annotation stays short.
      return HexFormat.of().formatHex(hash, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
  }
}
