package dev.slipstream.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.util.function.BiFunction;

/**
 * The rounds of a reconciler that sees every event of its resource ({@code triggerReconcilerOnAllEvents})
 * and keeps its finalizer itself, the same for tenants and publications: the finalizer is added in
 * the round that does the work, before it creates anything; a resource being deleted is cleaned up
 * and let go, or looked at again when the cleanup asks; the round after the deletion does nothing.
 * With JOSDK's {@code Cleaner} (or a managed workflow with a deleting step) a round of its own went
 * to the finalizer, and the work waited for the update it made. The finalizer's own update changes
 * no generation and brings nothing back.
 *
 * @param <P> the resource kind
 */
public final class OwnFinalizer<P extends HasMetadata> {

  private final String finalizer;

  /** @param finalizer its name: JOSDK's default for the kind, which resources made by earlier versions carry */
  public OwnFinalizer(String finalizer) {
    this.finalizer = finalizer;
  }

  /**
   * @param work the round's work, with the finalizer in place
   * @param cleanup what deletion takes; the finalizer goes when it says so
   */
  public UpdateControl<P> reconcile(P resource, Context<P> context, BiFunction<P, Context<P>, UpdateControl<P>> work,
      BiFunction<P, Context<P>, DeleteControl> cleanup) {
    if (context.isPrimaryResourceDeleted()) {
      return UpdateControl.noUpdate();
    }
    if (resource.isMarkedForDeletion()) {
      return finalizing(resource, context, cleanup);
    }
    if (!resource.hasFinalizer(finalizer)) {
      PrimaryUpdateAndCacheUtils.addFinalizer(context, finalizer);
    }
    return work.apply(resource, context);
  }

  /** Cleans up and lets the resource go, or looks again later. */
  private UpdateControl<P> finalizing(P resource, Context<P> context, BiFunction<P, Context<P>, DeleteControl> cleanup) {
    if (!resource.hasFinalizer(finalizer)) {
      return UpdateControl.noUpdate();
    }
    DeleteControl control = cleanup.apply(resource, context);
    if (control.isRemoveFinalizer()) {
      PrimaryUpdateAndCacheUtils.removeFinalizer(context, finalizer);
      return UpdateControl.noUpdate();
    }
    UpdateControl<P> later = UpdateControl.noUpdate();
    return control.getScheduleDelay().map(later::rescheduleAfter).orElse(later);
  }
}
