package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.AbstractDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.Matcher.Result;
import java.util.Optional;
import java.util.Set;

/**
 * A step of the tenant's workflow whose actual state is read when the workflow reaches it, once per
 * reconcile, instead of being cached by an event source: the credentials, the database's fitness, the
 * replication slot, the runtime's model. What was read stays in the reconcile's context, so the
 * step's condition and the steps after it all see the same value. Read-only, unless a subclass is
 * also a {@code Creator}, {@code Updater} or {@code Deleter}.
 *
 * <p>Why not a polling event source ({@code PerResourcePollingDependentResource})? Its fetcher runs
 * on its own thread, outside the reconcile: it would open a second connection to every tenant's
 * database each period, keep polling databases that are failing (escaping the reconcile's backoff),
 * decide "the slot is gone" from a cache instead of a read made after the database check, and, in
 * JOSDK 5.2.3, stop polling a tenant for good after one fetch throws. The reconcile's own recheck
 * ({@code SLIPSTREAM_RECHECK_INTERVAL}) is the poll.
 *
 * @param <R> what the step reads
 */
public abstract class ObservedDependent<R> extends AbstractDependentResource<R, RealtimeTenant> {

  /** What was read, null meaning "nothing there", to tell it from "not read yet". */
  private record Seen(Object value) {
  }

  private final Class<R> type;

  protected ObservedDependent(Class<R> type) {
    this.type = type;
  }

  /** Reads the actual state; null when there is nothing. */
  protected abstract R observe(RealtimeTenant tenant, Context<RealtimeTenant> context);

  @Override
  public Class<R> resourceType() {
    return type;
  }

  @Override
  public Optional<R> getSecondaryResource(RealtimeTenant tenant, Context<RealtimeTenant> context) {
    Seen seen = seen(context, name()).orElse(null);
    if (seen == null) {
      seen = new Seen(observe(tenant, context));
      context.managedWorkflowAndDependentResourceContext().put(key(name()), seen);
    }
    return Optional.ofNullable(type.cast(seen.value()));
  }

  /** What the step named {@code name} read in this reconcile; empty when it has not run or found nothing. */
  static <T> Optional<T> observed(Context<RealtimeTenant> context, String name, Class<T> type) {
    return seen(context, name).map(Seen::value).map(type::cast);
  }

  /** Replaces what was read, after this step changed it. */
  protected void remember(Context<RealtimeTenant> context, R value) {
    context.managedWorkflowAndDependentResourceContext().put(key(name()), new Seen(value));
  }

  private static Optional<Seen> seen(Context<RealtimeTenant> context, String name) {
    return context.managedWorkflowAndDependentResourceContext().get(key(name), Seen.class);
  }

  @Override
  public Result<R> match(R actual, RealtimeTenant tenant, Context<RealtimeTenant> context) {
    return Result.nonComputed(true);
  }

  @Override
  protected Optional<R> selectTargetSecondaryResource(Set<R> candidates, RealtimeTenant tenant,
      Context<RealtimeTenant> context) {
    return candidates.stream().findFirst();
  }

  @Override
  protected void onCreated(RealtimeTenant tenant, R created, Context<RealtimeTenant> context) {
    remember(context, created);
  }

  @Override
  protected void onUpdated(RealtimeTenant tenant, R updated, R actual, Context<RealtimeTenant> context) {
    remember(context, updated);
  }

  private static String key(String name) {
    return ObservedDependent.class.getName() + "/" + name;
  }
}
