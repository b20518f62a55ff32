package dev.slipstream.runtime.status;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.RuntimePodStatus;
import dev.slipstream.runtime.cluster.BoundedRequests;
import dev.slipstream.runtime.cluster.ClusterSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes this pod's entry of its tenant's {@code status.runtime.pods[]}: every status interval, and
 * soon after {@link #reportNow()} (a role change). The operator sums the entries, names the leader,
 * scales the runtime by them and removes the entries of pods that are gone or silent.
 *
 * <p>Server-side apply under the pod's own field manager ({@link StatusPatches}): the entry is this
 * pod's alone, so neither the other pods' entries nor the operator's fields are touched, and an apply
 * without the entry removes it ({@link #close()}).
 *
 * <p>One daemon thread. A failed write (API server unreachable, the tenant not created yet, RBAC)
 * is retried at the next tick and logged once per streak of failures; nothing is thrown to the
 * caller.
 */
public final class PodStatusReporter implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PodStatusReporter.class);
  /** Role changes come in bursts (lost, then someone else's): a few writes a second at most. */
  private static final Duration MIN_GAP = Duration.ofMillis(250);
  /** How long {@link #close()} waits for the entry's removal. */
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

  private final KubernetesClient client;
  private final StatusPatches patches;
  private final Duration interval;
  private final Supplier<RuntimePodStatus> entry;
  private final Clock clock;
  private final Counter ok;
  private final Counter failed;
  private final String where;
  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
      Thread.ofPlatform().name("slipstream-status-reporter").daemon().factory());

  // Guarded by this.
  private ScheduledFuture<?> next;
  private long lastWriteNanos = System.nanoTime() - MIN_GAP.toNanos();
  private boolean closed;
  private boolean started;
  /** Confined to the reporter's thread. */
  private int failures;
  private volatile String lastError;

  /**
   * @param client the client; its requests are bounded here (one try: the interval, within 1-5 s)
   * @param settings the tenant, namespace, pod and status interval
   * @param entry what the pod reports now; its {@code name} and {@code reportedAt} are set here
   * @param clock the time written as {@code reportedAt}
   * @param registry where {@code slipstream_status_reports_total{result=ok|failed}} is counted
   */
  public PodStatusReporter(KubernetesClient client, ClusterSettings settings, Supplier<RuntimePodStatus> entry,
      Clock clock, MeterRegistry registry) {
    this.interval = settings.statusInterval();
    this.client = BoundedRequests.of(client, tryTimeout(interval));
    this.patches = new StatusPatches(settings.namespace(), settings.tenant(), settings.pod());
    this.entry = Objects.requireNonNull(entry, "entry");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.ok = counter(registry, "ok");
    this.failed = counter(registry, "failed");
    this.where = "pod " + settings.pod() + " on RealtimeTenant " + settings.namespace() + "/" + settings.tenant();
  }

  /** One try of a write: no longer than the interval (the next tick writes fresher numbers), 1-5 s. */
  private static Duration tryTimeout(Duration interval) {
    Duration min = Duration.ofSeconds(1);
    Duration max = Duration.ofSeconds(5);
    return interval.compareTo(min) < 0 ? min : interval.compareTo(max) > 0 ? max : interval;
  }

  private static Counter counter(MeterRegistry registry, String result) {
    return Counter.builder("slipstream.status.reports").tag("result", result)
        .description("Writes of this pod's entry of the tenant's status.runtime.pods").register(registry);
  }

  /** Writes the entry now and then every status interval. */
  public synchronized void start() {
    if (!started && !closed) {
      started = true;
      schedule(0);
    }
  }

  /** Writes the entry soon (coalesced: at most one write per 250 ms), e.g. after a role change. */
  public synchronized void reportNow() {
    if (started) {
      schedule(Math.max(0, lastWriteNanos + MIN_GAP.toNanos() - System.nanoTime()));
    }
  }

  /** Why the last write failed; empty once a write succeeds. */
  public Optional<String> lastError() {
    return Optional.ofNullable(lastError);
  }

  /** The field manager this pod's entry is written under. */
  public String fieldManager() {
    return patches.fieldManager();
  }

  /** Removes this pod's entry (waiting up to 2 s) and stops. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      if (next != null) {
        next.cancel(false);
      }
      if (!started) {
        thread.shutdownNow();
        return;
      }
    }
    // On the reporter's thread, so it runs after a write in progress and nothing writes after it.
    Future<?> removal = thread.submit(this::remove);
    try {
      removal.get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.warn("Gave up removing the status entry of {} after {}; the operator removes it once the pod is gone",
          where, CLOSE_WAIT);
    } catch (ExecutionException e) {
      LOG.warn("Could not remove the status entry of {}: {}", where, e.getCause().toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      thread.shutdownNow();
    }
  }

  /** Runs the next write after {@code delayNanos}, unless one is due sooner. */
  private void schedule(long delayNanos) {
    if (closed) {
      return;
    }
    if (next != null && !next.isDone()) {
      if (next.getDelay(TimeUnit.NANOSECONDS) <= delayNanos) {
        return;
      }
      next.cancel(false);
    }
    next = thread.schedule(this::tick, delayNanos, TimeUnit.NANOSECONDS);
  }

  private void tick() {
    synchronized (this) {
      if (closed) {
        return;
      }
      next = null;
      lastWriteNanos = System.nanoTime();
    }
    try {
      RuntimePodStatus current = Objects.requireNonNull(entry.get(), "the pod's status entry");
      current.setReportedAt(clock.instant().truncatedTo(ChronoUnit.MILLIS).toString());
      apply(patches.withEntry(current));
      succeeded();
    } catch (RuntimeException e) {
      failed(e);
    }
    synchronized (this) {
      schedule(interval.toNanos());
    }
  }

  private void remove() {
    try {
      apply(patches.withoutEntry());
      LOG.info("Removed the status entry of {}", where);
    } catch (RuntimeException e) {
      LOG.warn("Could not remove the status entry of {}: {}; the operator removes it once the pod is gone", where,
          StatusPatches.describe(e));
    }
  }

  /**
   * The patch names its target through an object, because Fabric8's {@code withName(..).patch(String)}
   * first GETs the tenant, which the pod's Role does not allow (it may only patch the status).
   */
  private void apply(String body) {
    RealtimeTenant target = new RealtimeTenant();
    target.getMetadata().setNamespace(patches.namespace());
    target.getMetadata().setName(patches.tenant());
    client.resource(target).subresource("status")
        .patch(new PatchContext.Builder().withPatchType(PatchType.SERVER_SIDE_APPLY)
            .withFieldManager(patches.fieldManager()).withForce(true).build(), body);
  }

  private void succeeded() {
    ok.increment();
    if (failures > 0) {
      LOG.info("Writing the status entry of {} again, after {} failed {}", where, failures,
          failures == 1 ? "try" : "tries");
    }
    failures = 0;
    lastError = null;
  }

  private void failed(RuntimeException e) {
    failed.increment();
    String why = StatusPatches.describe(e);
    lastError = why;
    if (failures++ == 0) {
      LOG.warn("Could not write the status entry of {}: {}; retrying every {}", where, why, interval);
    } else {
      LOG.debug("Could not write the status entry of {} ({} tries): {}", where, failures, why);
    }
  }
}
