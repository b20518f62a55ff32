package dev.slipstream.runtime.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This pod's part in its tenant's Lease: the holder streams the slot and relays it to the others.
 * Fabric8's {@link LeaderElector} does the acquiring and renewing; this class adds what the slot needs
 * on top of it:
 * <ul>
 *   <li><b>The leader stops before its Lease can run out.</b> A deadline of its own, {@link
 *       LeaseTiming#renewDeadline()} after the start of the last successful renewal, ends the
 *       leadership even while a request to an unreachable API server hangs: Fabric8 checks its
 *       deadline only between requests (and by default its client retries a failed connection for
 *       minutes), and when it does give up it releases the Lease before it calls
 *       {@code onStopLeading}. The other pods cannot take over before {@link
 *       LeaseTiming#leaseDuration()} after that renewal: never two readers of one slot.</li>
 *   <li><b>It keeps taking part.</b> Fabric8's elector ends when leadership ends; a new one starts
 *       (after the old one is fully stopped: both share this pod's identity).</li>
 *   <li><b>The Lease is given up only after the listener stopped</b> ({@link GuardedLeaseLock}), and
 *       at once on {@link #close()}, so the next leader need not wait for it to expire.</li>
 * </ul>
 * The identity ({@link LeaseIdentity}) tells the followers where the leader's relay listens.
 */
public final class LeaseElection implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LeaseElection.class);

  private final KubernetesClient client;
  private final String namespace;
  private final String lease;
  private final String identity;
  private final LeaseTiming timing;
  private final LeadershipListener listener;
  /** Fabric8's loops: every read and write of the Lease. */
  private final ExecutorService elector = Executors.newSingleThreadExecutor(daemon("slipstream-lease-elector"));
  /** Starts and retires electors, and fires the renewal deadline; blocks only when no elector leads. */
  private final ScheduledExecutorService control =
      Executors.newSingleThreadScheduledExecutor(daemon("slipstream-lease-control"));
  /** The listener's calls, one at a time and in order. */
  private final ExecutorService events = Executors.newSingleThreadExecutor(daemon("slipstream-lease-events"));

  // Guarded by this.
  private Term current;
  private int terms;
  private long renewedNanos;
  private ScheduledFuture<?> deadline;
  private CompletableFuture<Void> stopping = CompletableFuture.completedFuture(null);
  private boolean closed;
  private volatile boolean leading;
  /** Fabric8 reported leadership for the current term before this term renewed the Lease. */
  private boolean awaitingRenewal;
  private volatile String leader;
  private volatile Thread eventThread;

  public LeaseElection(KubernetesClient client, ClusterSettings settings, LeadershipListener listener) {
    this.timing = LeaseTiming.of(settings.leaseDuration());
    this.client = BoundedRequests.of(client, timing.requestTimeout());
    this.namespace = settings.namespace();
    this.lease = settings.lease();
    this.identity = LeaseIdentity.of(settings);
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /** Starts taking part in the Lease. */
  public void start() {
    control.execute(this::startTerm);
  }

  public boolean isLeader() {
    return leading;
  }

  /** The Lease's holder as last observed; empty when nobody holds it or it has not been read yet. */
  public Optional<String> leaderIdentity() {
    return Optional.ofNullable(leader);
  }

  public String identity() {
    return identity;
  }

  public LeaseTiming timing() {
    return timing;
  }

  /**
   * Stops taking part: a leader calls {@link LeadershipListener#stoppedLeading()}, waits for it, and
   * releases the Lease so another pod takes over at once. Waits at most one lease duration (by then
   * the Lease has run out anyway). Called from a listener callback, it cannot wait for the listener,
   * so it leaves the Lease to run out.
   */
  @Override
  public void close() {
    Term retiring;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      stopLeading("this pod is shutting down");
      retiring = current;
      current = null;
    }
    Future<?> released = control.submit(() -> retire(retiring));
    try {
      released.get(timing.leaseDuration().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.warn("Gave up releasing Lease {}/{} after {}; it runs out on its own", namespace, lease, timing.leaseDuration());
    } catch (ExecutionException e) {
      LOG.warn("Could not release Lease {}/{}: {}", namespace, lease, e.getCause().toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      control.shutdownNow();
      elector.shutdownNow();
      events.shutdown();
    }
  }

  // --- terms: one Fabric8 elector each ---

  private void startTerm() {
    Term term;
    synchronized (this) {
      if (closed) {
        return;
      }
      term = new Term(++terms);
      current = term;
    }
    term.start();
  }

  /** A term's elector ended by itself (leadership lost, or it failed): take part again, a retry period later. */
  private void termEnded(Term term, Throwable failure) {
    synchronized (this) {
      if (closed || current != term) {
        return;
      }
      if (failure != null && !(failure instanceof CancellationException)) {
        LOG.warn("Taking part in Lease {}/{} again after its elector failed: {}", namespace, lease, failure.toString());
      }
      stopLeading("the Lease elector ended");
      current = null;
    }
    control.schedule(this::startTerm, timing.retryPeriod().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Stops a term's elector and waits until it is done: it releases the Lease if it still holds it. */
  private static void retire(Term term) {
    if (term != null) {
      term.future.cancel(true);
    }
  }

  // --- what the electors report ---

  private synchronized void started(Term term) {
    if (term != current || closed || leading) {
      return;
    }
    leader = identity;
    if (System.nanoTime() - renewedNanos >= timing.renewDeadline().toNanos()) {
      // Fabric8 says "leading" as soon as it reads a Lease that names this pod, before it has
      // written anything: a new term after a missed deadline would then be told it leads with the
      // old renewal time, stop at once, and start over for ever. Lead once this term has renewed.
      awaitingRenewal = true;
      return;
    }
    announce(term);
  }

  private void announce(Term term) {
    awaitingRenewal = false;
    leading = true;
    LOG.info("Leading tenant Lease {}/{} as {}: this pod streams the slot", namespace, lease, identity);
    emit(listener::startedLeading);
    scheduleDeadline(term);
  }

  private synchronized void stopped(Term term) {
    if (term == current) {
      stopLeading("the Lease was lost");
    }
  }

  private synchronized void leaderSeen(Term term, String holder) {
    String observed = holder == null || holder.isEmpty() ? null : holder;
    if (term != current || closed || Objects.equals(observed, leader)) {
      return;
    }
    leader = observed;
    if (!identity.equals(observed)) {
      LOG.info("Lease {}/{} is held by {}", namespace, lease, observed == null ? "nobody" : observed);
    }
    emit(() -> listener.leaderChanged(observed));
  }

  private synchronized void renewed(Term term, long startedNanos) {
    if (term == current) {
      renewedNanos = startedNanos;
      if (awaitingRenewal && !closed) {
        announce(term);
      } else if (leading) {
        scheduleDeadline(term);
      }
    }
  }

  private void scheduleDeadline(Term term) {
    if (deadline != null) {
      deadline.cancel(false);
    }
    long left = renewedNanos + timing.renewDeadline().toNanos() - System.nanoTime();
    deadline = control.schedule(() -> deadlineReached(term), Math.max(0, left), TimeUnit.NANOSECONDS);
  }

  /** The Lease was not renewed in time: stop before the others may take it, then take part anew. */
  private void deadlineReached(Term term) {
    synchronized (this) {
      if (term != current || !leading) {
        return;
      }
      long since = System.nanoTime() - renewedNanos;
      if (since < timing.renewDeadline().toNanos()) {
        scheduleDeadline(term);
        return;
      }
      stopLeading("the Lease was last renewed " + Duration.ofNanos(since).toMillis() + " ms ago, renew deadline "
          + timing.renewDeadline().toMillis() + " ms of a " + timing.leaseDuration().toSeconds() + " s lease");
      current = null;
    }
    retire(term);
    startTerm();
  }

  /** Ends the leadership (if any) at once: isLeader() turns false and the listener is told. */
  private void stopLeading(String reason) {
    awaitingRenewal = false;
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
    if (leading) {
      leading = false;
      LOG.info("Stopped leading tenant Lease {}/{}: {}", namespace, lease, reason);
      stopping = emit(listener::stoppedLeading);
    }
  }

  /**
   * Before the Lease is given up: the listener has stopped (waits up to the renew deadline). Whichever
   * term releases, the Lease it frees is this pod's identity's, so any leadership here ends first.
   */
  private boolean readyToRelease() {
    CompletableFuture<Void> stopped;
    synchronized (this) {
      stopLeading("giving up the Lease");
      stopped = stopping;
    }
    if (Thread.currentThread() == eventThread) {
      return stopped.isDone();
    }
    try {
      stopped.get(timing.renewDeadline().toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException e) {
      return false;
    }
  }

  private synchronized boolean mayHold(Term term) {
    return term == current && !closed;
  }

  private CompletableFuture<Void> emit(Runnable call) {
    return CompletableFuture.runAsync(() -> {
      eventThread = Thread.currentThread();
      try {
        call.run();
      } catch (RuntimeException e) {
        LOG.warn("A leadership listener failed", e);
      }
    }, events);
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return Thread.ofPlatform().name(name).daemon().factory();
  }

  /** One Fabric8 elector; its callbacks count only while it is the current term. */
  private final class Term implements GuardedLeaseLock.Guard {

    private final int number;
    private volatile CompletableFuture<?> future = CompletableFuture.completedFuture(null);

    Term(int number) {
      this.number = number;
    }

    void start() {
      LeaderElectionConfig config = new LeaderElectionConfig(
          new GuardedLeaseLock(namespace, lease, identity, this), timing.leaseDuration(), timing.renewDeadline(),
          timing.retryPeriod(), new LeaderCallbacks(() -> started(this), () -> stopped(this),
          holder -> leaderSeen(this, holder)), true, lease + "#" + number);
      future = new LeaderElector(client, config, elector).start();
      future.whenComplete((ignored, failure) -> control.execute(() -> termEnded(this, failure)));
    }

    @Override
    public boolean mayHold() {
      return LeaseElection.this.mayHold(this);
    }

    @Override
    public void renewed(long startedNanos) {
      LeaseElection.this.renewed(this, startedNanos);
    }

    @Override
    public boolean readyToRelease() {
      return LeaseElection.this.readyToRelease();
    }
  }
}
