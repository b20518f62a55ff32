package dev.slipstream.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * An informer's store that keeps only what its reconciler reads of each object: every tenant adds
 * objects to every informer, and a full Pod or Deployment (its pod template, its container
 * statuses, its {@code managedFields}, tens of kilobytes in the heap) stays cached for as long as
 * it exists. The trimmed copy is also what the informer's event handlers and
 * {@code context.getSecondaryResources} see, so only an informer whose reader is known may use one.
 *
 * <p>JOSDK hands one store to every informer of an event source, one per watched namespace, and an
 * informer's relist drops what its own list does not hold: with several namespaces the informers
 * would empty each other's part. {@link #forOneInformer} keeps the full store then.
 *
 * @param <V> the kind
 */
public final class TrimmedItemStore<V extends HasMetadata> extends BasicItemStore<V> {

  private final UnaryOperator<V> trim;

  /** @param trim what to keep of an object (may change the object it is given, and return it) */
  public TrimmedItemStore(UnaryOperator<V> trim) {
    super(Cache::metaNamespaceKeyFunc);
    this.trim = trim;
  }

  /** Drops {@code metadata.managedFields}: server-side apply's bookkeeping, which no reader of this informer needs. */
  public static <V extends HasMetadata> TrimmedItemStore<V> withoutManagedFields() {
    return new TrimmedItemStore<>(object -> {
      object.getMetadata().setManagedFields(null);
      return object;
    });
  }

  /**
   * The store when the controller watches all namespaces or exactly one (one informer per event
   * source), null otherwise: JOSDK then uses the informer's default, full store.
   */
  public static <V extends HasMetadata> TrimmedItemStore<V> forOneInformer(EventSourceContext<?> context,
      Supplier<TrimmedItemStore<V>> store) {
    return context.getControllerConfiguration().getEffectiveNamespaces().size() == 1 ? store.get() : null;
  }

  /**
   * Trims the object, then shares its metadata's repeated strings ({@link SharedStrings}) and its
   * empty maps ({@link SharedModelValues}).
   */
  @Override
  public V put(String key, V object) {
    V trimmed = trim.apply(object);
    SharedStrings.intern(trimmed.getMetadata());
    SharedModelValues.share(trimmed);
    return super.put(key, trimmed);
  }
}
