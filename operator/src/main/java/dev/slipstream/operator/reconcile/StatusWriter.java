package dev.slipstream.operator.reconcile;

import dev.slipstream.api.v1alpha1.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.util.List;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Writes a resource's status the one way the operator does, for both resource kinds: only when it
 * changed, as a server-side apply patch under the controller's field manager
 * ({@link dev.slipstream.operator.config.OperatorConfig#FIELD_MANAGER}, set on each
 * {@code @ControllerConfiguration}), with a Kubernetes Event for every condition that moved
 * ({@link ConditionEvents}).
 *
 * <p>The patch holds the resource's identity and the status, nothing else: the field manager owns
 * exactly the fields it writes, and without a resourceVersion the patch never conflicts with other
 * writers (runtime pods write their own {@code status.runtime.pods[]} entries under theirs; the
 * tenant's status never carries {@code status.runtime}).
 *
 * @param <P> the resource kind
 * @param <S> its status
 */
public final class StatusWriter<P extends CustomResource<?, S>, S> {

  private final Supplier<P> emptyResource;
  private final BiPredicate<S, S> same;
  private final Function<S, List<Condition>> conditions;

  /**
   * @param emptyResource a new, empty resource of the kind (the patch)
   * @param same whether two statuses agree on everything the operator writes
   * @param conditions a status's conditions
   */
  public StatusWriter(Supplier<P> emptyResource, BiPredicate<S, S> same, Function<S, List<Condition>> conditions) {
    this.emptyResource = emptyResource;
    this.same = same;
    this.conditions = conditions;
  }

  /** Patches the status when it differs from the resource's. */
  public UpdateControl<P> write(Context<P> context, P resource, S status) {
    if (same.test(status, resource.getStatus())) {
      return UpdateControl.noUpdate();
    }
    recordTransitions(context, resource, status);
    return UpdateControl.patchStatus(patch(resource, status));
  }

  /** The same after a failure: the framework patches it, then retries with backoff. */
  public ErrorStatusUpdateControl<P> writeError(Context<P> context, P resource, S status) {
    if (same.test(status, resource.getStatus())) {
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    recordTransitions(context, resource, status);
    return ErrorStatusUpdateControl.patchStatus(patch(resource, status));
  }

  /** The server-side apply patch: name, namespace and status. */
  public P patch(P resource, S status) {
    P patch = emptyResource.get();
    patch.setMetadata(new ObjectMetaBuilder().withName(resource.getMetadata().getName())
        .withNamespace(resource.getMetadata().getNamespace()).build());
    patch.setSpec(null);
    patch.setStatus(status);
    return patch;
  }

  private void recordTransitions(Context<P> context, P resource, S next) {
    ConditionEvents.recordTransitions(context.getClient(), resource,
        resource.getStatus() == null ? null : conditions.apply(resource.getStatus()), conditions.apply(next));
  }
}
