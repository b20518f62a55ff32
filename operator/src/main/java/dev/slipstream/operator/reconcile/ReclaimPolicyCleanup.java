package dev.slipstream.operator.reconcile;

import dev.slipstream.api.v1alpha1.ReclaimPolicy;
import dev.slipstream.operator.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to the database object behind a resource that is being deleted, the same for a
 * tenant's slot and a publication: {@code reclaimPolicy: Retain} keeps it; {@code Delete} drops it,
 * and the resource goes once that worked. When it cannot be dropped (the database is unreachable, its
 * Secret is gone) the finalizer stays and the log says why, checked again every recheck interval,
 * until the drop succeeds or the resource is annotated {@value OperatorConfig#FORCE_DELETE_ANNOTATION}
 * {@code : "true"}, which lets it go without cleaning up.
 */
public final class ReclaimPolicyCleanup {

  private static final Logger LOG = LoggerFactory.getLogger(ReclaimPolicyCleanup.class);

  private final Duration recheckInterval;

  public ReclaimPolicyCleanup(Duration recheckInterval) {
    this.recheckInterval = recheckInterval;
  }

  /**
   * @param what the database object, for the log: "replication slot x", "publication y"
   * @param whenRetained what keeping it means, for the log; empty for nothing
   * @param drop drops it; a failure {@link Failure#blocksCleanup blocking cleanup} keeps the
   *     resource, any other is thrown (the framework retries with backoff)
   */
  public DeleteControl cleanup(HasMetadata resource, ReclaimPolicy policy, String what, String whenRetained,
      Runnable drop) {
    String id = resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
    if (policy == ReclaimPolicy.RETAIN) {
      LOG.info("{}: keeping {} (reclaimPolicy Retain){}", id, what, whenRetained.isEmpty() ? "" : "; " + whenRetained);
      return DeleteControl.defaultDelete();
    }
    try {
      drop.run();
      return DeleteControl.defaultDelete();
    } catch (RuntimeException e) {
      if (!Failure.blocksCleanup(e)) {
        throw e;
      }
      String why = Failure.of(e).message();
      if (forceDeleteRequested(resource)) {
        LOG.warn("{}: {} could not be dropped ({}); deleting anyway as {} asks", id, what, why,
            OperatorConfig.FORCE_DELETE_ANNOTATION);
        return DeleteControl.defaultDelete();
      }
      LOG.warn("{}: cannot drop {} yet: {}; annotate {}=true to delete without dropping it", id, what, why,
          OperatorConfig.FORCE_DELETE_ANNOTATION);
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(recheckInterval);
    }
  }

  private static boolean forceDeleteRequested(HasMetadata resource) {
    return resource.getMetadata().getAnnotations() != null
        && "true".equalsIgnoreCase(resource.getMetadata().getAnnotations().get(OperatorConfig.FORCE_DELETE_ANNOTATION));
  }
}
