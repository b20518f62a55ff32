package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.operator.model.RuntimeLabels;
import dev.slipstream.operator.model.RuntimeModel;
import dev.slipstream.operator.reconcile.TrimmedItemStore;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.dependent.Matcher.Result;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * A step of the tenant's workflow that applies one object of the runtime's model (server-side
 * apply, owner reference to the tenant). Two things differ from JOSDK's own:
 * <ul>
 *   <li>whether the object on the server needs applying is {@link AppliedState}'s decision (the
 *       digest it was applied from, and every value the operator sets), not server-side apply's
 *       {@code managedFields};
 *   <li>so the informer's cache keeps each object without its {@code managedFields} (and whatever
 *       else {@link #trim} drops), when one informer serves the controller
 *       ({@link TrimmedItemStore#forOneInformer}).
 * </ul>
 * The informer selects the runtime's labels and filters updates as {@link #onUpdateFilter} says:
 * the steps are standalone dependents (the tenant package's {@code TenantWorkflow}), which JOSDK
 * configures from no annotation.
 *
 * @param <R> the kind
 */
abstract class RuntimeObjectDependent<R extends HasMetadata> extends CRUDKubernetesDependentResource<R, RealtimeTenant> {

  protected RuntimeObjectDependent(Class<R> type) {
    super(type);
  }

  /**
   * The objects (namespace/name) this step is creating right now: their add event is this
   * reconcile's own doing. JOSDK skips it once the created object is in its cache, or when it
   * carries JOSDK's "previous" annotation, which JOSDK 5.2.3 does not put on a Deployment (its
   * block list); a watch faster than the create's response then brought the tenant back for a
   * round that found nothing new (most new tenants, in {@code bin/bench operator}).
   */
  private final Set<String> creating = ConcurrentHashMap.newKeySet();

  /** This step's object of the model this reconcile rendered. */
  protected abstract R render(RuntimeModel model);

  /**
   * Which updates of the step's objects bring the tenant back: all of them, unless a step says
   * otherwise (null).
   */
  protected OnUpdateFilter<R> onUpdateFilter() {
    return null;
  }

  /** What the cache keeps of an object: all of it but its {@code managedFields}, unless a step reads otherwise. */
  protected R trim(R object, KubernetesSerialization serialization) {
    object.getMetadata().setManagedFields(null);
    return object;
  }

  @Override
  protected final R desired(RealtimeTenant tenant, Context<RealtimeTenant> context) {
    return AppliedState.stamp(render(RuntimeModels.of(context)), context.getClient().getKubernetesSerialization());
  }

  @Override
  public R create(R desired, RealtimeTenant tenant, Context<RealtimeTenant> context) {
    String key = key(tenant.getMetadata().getNamespace(), desired);
    creating.add(key);
    try {
      return super.create(desired, tenant, context);
    } catch (RuntimeException e) {
      creating.remove(key);
      throw e;
    }
  }

  @Override
  protected void onCreated(RealtimeTenant tenant, R created, Context<RealtimeTenant> context) {
    // JOSDK's cache holds the created object now: its own filter skips the add event from here on.
    super.onCreated(tenant, created, context);
    creating.remove(key(tenant.getMetadata().getNamespace(), created));
  }

  private static String key(String namespace, HasMetadata object) {
    return namespace + "/" + object.getMetadata().getName();
  }

  @Override
  public Result<R> match(R actual, R desired, RealtimeTenant tenant, Context<RealtimeTenant> context) {
    // As JOSDK does before matching: the owner reference, and the annotation its event filter keeps.
    addMetadata(true, actual, desired, tenant, context);
    return Result.computed(matches(actual, desired, context), desired);
  }

  /** Whether the object on the server is what this step would apply: {@link AppliedState}'s two checks. */
  protected boolean matches(R actual, R desired, Context<RealtimeTenant> context) {
    return AppliedState.matches(actual, desired, context.getClient().getKubernetesSerialization());
  }

  @Override
  protected InformerEventSource<R, RealtimeTenant> createEventSource(EventSourceContext<RealtimeTenant> context) {
    // Only the runtime's objects (the labels every tenant's runtime carries), not every object of the kind.
    InformerEventSourceConfiguration.Builder<R> config = informerConfigurationBuilder(context)
        .withSecondaryToPrimaryMapper(getSecondaryToPrimaryMapper(context).orElseThrow())
        .withName(name())
        .withLabelSelector(RuntimeLabels.EVERY_RUNTIME)
        // The add of an object this step is creating is no news (and the mark is spent on it).
        .withOnAddFilter(object -> !creating.remove(key(object.getMetadata().getNamespace(), object)));
    if (onUpdateFilter() != null) {
      config.withOnUpdateFilter(onUpdateFilter());
    }
    KubernetesSerialization serialization = context.getClient().getKubernetesSerialization();
    UnaryOperator<R> trim = object -> trim(object, serialization);
    TrimmedItemStore<R> store = TrimmedItemStore.forOneInformer(context, () -> new TrimmedItemStore<>(trim));
    if (store != null) {
      config.withItemStore(store);
    }
    InformerEventSource<R, RealtimeTenant> source = new InformerEventSource<>(config.build(), context);
    setEventSource(source);
    return source;
  }
}
