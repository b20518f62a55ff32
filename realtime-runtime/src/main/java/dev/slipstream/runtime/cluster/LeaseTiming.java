package dev.slipstream.runtime.cluster;

import java.time.Duration;

/**
 * The clocks of the tenant's Lease, all derived from one lease duration.
 *
 * @param leaseDuration how long the Lease holds without renewal, in whole seconds: the Lease stores
 *     {@code leaseDurationSeconds}, and the other pods judge expiry by what it stores, so a
 *     configured fraction of a second is dropped rather than trusted
 * @param renewDeadline how long the leader keeps leading without a successful renewal (2/3 of the
 *     lease): the remaining third is the leader's margin to stop streaming before the others may
 *     take over
 * @param retryPeriod how often the leader renews and the followers try to acquire (1/5 of the lease)
 * @param requestTimeout how long one try of a read or write of the Lease may take (a retry period,
 *     at least 1 s: a busy API server is slow, not gone): with its one retry ({@link
 *     BoundedRequests}) a hanging call ends within about two tries, inside the renew deadline for a
 *     lease of 5 s or more, so Fabric8's own loop gets to try again before the deadline. The
 *     leader's safety does not rest on it: {@link LeaseElection} keeps its own deadline
 */
public record LeaseTiming(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod,
    Duration requestTimeout) {

  public static LeaseTiming of(Duration configured) {
    Duration lease = Duration.ofSeconds(configured.toSeconds());
    if (lease.toSeconds() < 2) {
      throw new IllegalArgumentException("the lease duration must be at least 2s: " + configured);
    }
    Duration renew = lease.multipliedBy(2).dividedBy(3);
    Duration retry = lease.dividedBy(5);
    Duration oneTry = retry.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : retry;
    return new LeaseTiming(lease, renew, retry, oneTry);
  }
}
