package dev.slipstream.runtime.status;

import dev.slipstream.api.v1alpha1.RuntimePodStatus;
import dev.slipstream.runtime.change.EventPosition;
import java.util.function.Supplier;

/**
 * What this pod reports about itself in its entry of the tenant's {@code status.runtime.pods[]}:
 * its load (clients, channels, events per second), how current it is (last position, lag from
 * commit to dispatch), the slow clients it closed, and its part in the tenant (role, readiness,
 * relay address, and for the leader the slot's lag in bytes). A snapshot is taken on the reporting
 * thread; every figure is read from a thread-safe source.
 */
public final class PodFigures implements Supplier<RuntimePodStatus> {

  /** The pod's part in its tenant as of now. */
  public record Role(String role, boolean ready, String problem, Long slotLagBytes, String relayAddress) {
  }

  /** Running figures, read on the reporting thread. */
  public interface Load {
    long clients();

    long channels();

    double eventsTaken();

    EventPosition lastPosition();

    long replicationLagMillis();

    double slowClientsClosed();
  }

  private final Load load;
  private final Supplier<Role> role;
  private final EventRate rate = new EventRate();

  public PodFigures(Load load, Supplier<Role> role) {
    this.load = load;
    this.role = role;
  }

  @Override
  public synchronized RuntimePodStatus get() {
    RuntimePodStatus entry = new RuntimePodStatus();
    entry.setClients(load.clients());
    entry.setChannels(load.channels());
    entry.setEventsPerSecond(Math.round(rate.sample(System.nanoTime(), load.eventsTaken()) * 10) / 10.0);
    EventPosition last = load.lastPosition();
    if (last != null) {
      entry.setLastLsn(last.toString());
      entry.setReplicationLagMillis(load.replicationLagMillis());
    }
    entry.setSlowClientsClosed((long) load.slowClientsClosed());
    Role now = role.get();
    entry.setRole(now.role());
    entry.setReady(now.ready());
    entry.setProblem(now.problem());
    entry.setSlotLagBytes(now.slotLagBytes());
    entry.setRelayAddress(now.relayAddress());
    return entry;
  }
}
