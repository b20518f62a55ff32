package dev.slipstream.operator.runtime;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Comparator;
import java.util.List;

/**
 * The JSON patch (RFC 6902) that removes other managers' entries from {@code status.runtime.pods[]}.
 *
 * <p>Why a JSON patch: each entry belongs to its pod's field manager. A server-side apply by the
 * operator cannot remove what it does not own (leaving an entry out of its own apply leaves the entry
 * alone, which is what keeps the pods' entries safe from the operator's status writes); only an
 * update can. A merge patch would replace the whole list, racing every pod's report. A JSON patch
 * removes one item by index, and each removal is guarded by {@code test} operations on the entry's
 * {@code name} and {@code reportedAt} as they were read: if the list moved (an entry added or
 * removed before it) or the pod wrote its entry again since, a test fails, the API server applies
 * nothing (a patch is all or nothing; HTTP 422), and the next reconcile decides again on a fresh
 * read. A race can therefore neither remove the wrong entry nor one that just came back to life.
 * Removals run from the highest index down, so each index still means what it meant when read.
 *
 * <p>Removing the entry also removes its fields from the pod's field manager, so the managed fields
 * of pods long gone do not pile up on the tenant.
 */
final class PodEntryRemoval {

  static final String PODS_PATH = "/status/runtime/pods/";

  private PodEntryRemoval() {
  }

  static String jsonPatch(List<PodReports.Removal> removals) {
    ArrayNode patch = JsonNodeFactory.instance.arrayNode();
    removals.stream().sorted(Comparator.comparingInt(PodReports.Removal::index).reversed()).forEach(removal -> {
      String entry = PODS_PATH + removal.index();
      patch.add(test(entry + "/name", removal.name()));
      if (removal.reportedAt() != null) {
        patch.add(test(entry + "/reportedAt", removal.reportedAt()));
      }
      patch.add(JsonNodeFactory.instance.objectNode().put("op", "remove").put("path", entry));
    });
    return patch.toString();
  }

  private static ObjectNode test(String path, String value) {
    return JsonNodeFactory.instance.objectNode().put("op", "test").put("path", path).put("value", value);
  }
}
