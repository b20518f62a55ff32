package dev.slipstream.operator.reconcile;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One copy of the strings that the cached objects of every tenant repeat: the namespace, the
 * runtime's labels, annotation keys, the owner reference to the tenant (its uid is in all eight of
 * the tenant's runtime objects), object names that several kinds share ({@code <tenant>-runtime}).
 * Each object the API server sends is parsed into strings of its own, about a thousand a tenant
 * across the operator's caches; these are most of them. Values that are each object's own
 * (resource versions, digests, timestamps) are left alone: interning them would only fill the table.
 */
public final class SharedStrings {

  private SharedStrings() {
  }

  /** Interns the metadata's shared strings in place. */
  public static void intern(ObjectMeta metadata) {
    if (metadata == null) {
      return;
    }
    metadata.setNamespace(intern(metadata.getNamespace()));
    metadata.setName(intern(metadata.getName()));
    metadata.setLabels(internKeysAndValues(metadata.getLabels()));
    metadata.setAnnotations(internKeys(metadata.getAnnotations()));
    List<String> finalizers = metadata.getFinalizers();
    if (finalizers != null && !finalizers.isEmpty()) {
      // Still a list that can change, as the parsed one was: whoever reads the cache may add to it.
      metadata.setFinalizers(finalizers.stream().map(SharedStrings::intern)
          .collect(Collectors.toCollection(ArrayList::new)));
    }
    if (metadata.getOwnerReferences() != null) {
      for (OwnerReference owner : metadata.getOwnerReferences()) {
        owner.setApiVersion(intern(owner.getApiVersion()));
        owner.setKind(intern(owner.getKind()));
        owner.setName(intern(owner.getName()));
        owner.setUid(intern(owner.getUid()));
      }
    }
  }

  private static Map<String, String> internKeysAndValues(Map<String, String> map) {
    if (map == null || map.isEmpty()) {
      return map;
    }
    Map<String, String> interned = new LinkedHashMap<>(map.size() * 4 / 3 + 1);
    map.forEach((k, v) -> interned.put(intern(k), intern(v)));
    return interned;
  }

  private static Map<String, String> internKeys(Map<String, String> map) {
    if (map == null || map.isEmpty()) {
      return map;
    }
    Map<String, String> interned = new LinkedHashMap<>(map.size() * 4 / 3 + 1);
    map.forEach((k, v) -> interned.put(intern(k), v));
    return interned;
  }

  private static String intern(String value) {
    return value == null ? null : value.intern();
  }
}
