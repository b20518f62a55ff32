package dev.slipstream.runtime.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.Lock;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Fabric8's {@link LeaseLock}, with every read and write of the Lease passing a {@link Guard}: the
 * one place that sees each renewal succeed and each release about to happen.
 *
 * <ul>
 *   <li>A renewal that succeeded tells the guard when it started (before the Lease was read, so no
 *       later than the {@code renewTime} the others judge expiry by): the leader's own deadline runs
 *       from there, not from whenever Fabric8's loop next looks at its clock.</li>
 *   <li>A release waits until the pod has stopped leading: Fabric8 releases first and calls
 *       {@code onStopLeading} after, which would let the next leader start streaming while this
 *       pod still does.</li>
 *   <li>A write that would make a superseded elector the holder again is refused.</li>
 *   <li>Any other exception becomes a {@link KubernetesClientException}: Fabric8's acquire loop
 *       retries those, and silently ends (its future never completing) on anything else.</li>
 * </ul>
 */
final class GuardedLeaseLock implements Lock {

  interface Guard {

    /** Whether this elector may still hold the Lease (it has not been superseded or closed). */
    boolean mayHold();

    /** A write making this pod the holder succeeded; it started at {@code startedNanos} ({@link System#nanoTime()}). */
    void renewed(long startedNanos);

    /** Stops leading if the pod leads, and waits for the listener; whether the Lease may be given up now. */
    boolean readyToRelease();
  }

  private final LeaseLock lease;
  private final Guard guard;
  private long readStartedNanos;

  GuardedLeaseLock(String namespace, String name, String identity, Guard guard) {
    this.lease = new LeaseLock(namespace, name, identity);
    this.guard = Objects.requireNonNull(guard, "guard");
  }

  @Override
  public LeaderElectionRecord get(KubernetesClient client) {
    // Fabric8 reads the Lease right after taking the time it writes as renewTime.
    readStartedNanos = System.nanoTime();
    return call(() -> lease.get(client));
  }

  @Override
  public void create(KubernetesClient client, LeaderElectionRecord record) {
    write(record, () -> lease.create(client, record));
  }

  @Override
  public void update(KubernetesClient client, LeaderElectionRecord record) {
    write(record, () -> lease.update(client, record));
  }

  private void write(LeaderElectionRecord record, Runnable write) {
    boolean holds = identity().equals(record.getHolderIdentity());
    if (holds && !guard.mayHold()) {
      throw new KubernetesClientException("not renewing " + describe() + ": this elector was superseded");
    }
    if (!holds && !guard.readyToRelease()) {
      throw new KubernetesClientException("not releasing " + describe() + ": the pod has not stopped leading yet");
    }
    long started = readStartedNanos;
    call(() -> {
      write.run();
      return null;
    });
    if (holds) {
      guard.renewed(started);
    }
  }

  private static <T> T call(Supplier<T> call) {
    try {
      return call.get();
    } catch (KubernetesClientException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new KubernetesClientException(String.valueOf(e.getMessage()), e);
    }
  }

  @Override
  public String identity() {
    return lease.identity();
  }

  @Override
  public String describe() {
    return lease.describe();
  }
}
