package dev.slipstream.operator.reconcile;

import io.fabric8.kubernetes.api.model.KubernetesResource;
import java.lang.reflect.Field;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Set;

/**
 * One copy of what every tenant's cached objects repeat, below their metadata ({@link SharedStrings}):
 * <ul>
 *   <li>one empty {@code additionalProperties} map: Fabric8 gives each model object (owner
 *       reference, port, rule, quantity, ...) a map of its own for fields it does not know, nearly
 *       always empty; about 120 per tenant across the operator's caches, 56 bytes each, and as much
 *       again for the entry-set view a map keeps once JSON serialization has iterated it;
 *   <li>the strings of the objects' fields: a Role's verbs and resources, a Service's port names and
 *       protocols, a condition's type, status and reason are the same for every tenant, and Jackson
 *       parses each into a string of its own. Fields whose values are each object's own (uid,
 *       resource version, timestamps, addresses, messages) are left alone.
 * </ul>
 * Cached objects are read, never changed, so they can share an immutable empty map; a copy made to
 * change (a builder, JOSDK's clone of the primary) gets maps of its own.
 */
public final class SharedModelValues {

  private static final Map<String, Object> EMPTY = Map.of();
  private static final String ADDITIONAL_PROPERTIES = "additionalProperties";
  /** Model classes that are not resources ({@code Quantity}, {@code IntOrString}, the CRDs' parts) are walked too. */
  private static final List<String> MODELS = List.of("io.fabric8.kubernetes.api.model.", "dev.slipstream.api.");
  /** Fields whose values differ from object to object: interning them would only fill the string table. */
  private static final Set<String> OWN_VALUES = Set.of("uid", "resourceVersion", "creationTimestamp",
      "deletionTimestamp", "lastTransitionTime", "lastUpdateTime", "lastProbeTime", "lastHeartbeatTime", "startTime",
      "time", "clusterIP", "clusterIPs", "podIP", "podIPs", "hostIP", "message", "confirmedFlushLsn", "restartLsn",
      "data", "binaryData");

  /** The fields of each model class that may hold a string, a model object, a list or a map. */
  private static final ClassValue<List<Field>> FIELDS = new ClassValue<>() {
    @Override
    protected List<Field> computeValue(Class<?> type) {
      List<Field> fields = new ArrayList<>();
      for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
        for (Field field : c.getDeclaredFields()) {
          if (!Modifier.isStatic(field.getModifiers()) && !field.getType().isPrimitive() && trySetAccessible(field)) {
            fields.add(field);
          }
        }
      }
      return List.copyOf(fields);
    }
  };

  private SharedModelValues() {
  }

  /** Shares the empty maps and repeated strings of the object and of every model object in it. */
  public static void share(Object object) {
    if (!isModel(object)) {
      return;
    }
    for (Field field : FIELDS.get(object.getClass())) {
      Object value = read(field, object);
      boolean own = OWN_VALUES.contains(field.getName());
      if (value instanceof String text) {
        if (!own) {
          write(field, object, text.intern());
        }
      } else if (value instanceof Map<?, ?> map) {
        if (ADDITIONAL_PROPERTIES.equals(field.getName()) && map.isEmpty()) {
          if (map != EMPTY) {
            write(field, object, EMPTY);
          }
        } else {
          shareValues(map, own);
        }
      } else if (value instanceof List<?> items) {
        shareItems(items, own);
      } else {
        share(value);
      }
    }
  }

  /** A selector's or a quantity map's values; not the keys, which only a new map could share. */
  @SuppressWarnings("unchecked")
  private static void shareValues(Map<?, ?> map, boolean own) {
    // forEach and replaceAll, not values(): a map keeps the view it hands out.
    map.forEach((k, v) -> share(v));
    if (!own) {
      try {
        ((Map<Object, Object>) map).replaceAll((k, v) -> v instanceof String text ? text.intern() : v);
      } catch (UnsupportedOperationException e) {
        // An immutable map: left as it is.
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static void shareItems(List<?> items, boolean own) {
    if (items.isEmpty()) {
      return;
    }
    if (items.get(0) instanceof String) {
      if (!own) {
        try {
          for (ListIterator<Object> it = ((List<Object>) items).listIterator(); it.hasNext(); ) {
            if (it.next() instanceof String text) {
              it.set(text.intern());
            }
          }
        } catch (UnsupportedOperationException e) {
          // An immutable list: left as it is.
        }
      }
      return;
    }
    items.forEach(SharedModelValues::share);
  }

  private static boolean isModel(Object object) {
    if (object instanceof KubernetesResource) {
      return true;
    }
    if (object == null) {
      return false;
    }
    String name = object.getClass().getName();
    return MODELS.stream().anyMatch(name::startsWith);
  }

  private static boolean trySetAccessible(Field field) {
    try {
      return field.trySetAccessible();
    } catch (InaccessibleObjectException | SecurityException e) {
      return false;
    }
  }

  private static Object read(Field field, Object object) {
    try {
      return field.get(object);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("accessible since computeValue: " + field, e);
    }
  }

  private static void write(Field field, Object object, Object value) {
    try {
      field.set(object, value);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("accessible since computeValue: " + field, e);
    }
  }
}
