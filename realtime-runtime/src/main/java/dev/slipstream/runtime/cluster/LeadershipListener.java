package dev.slipstream.runtime.cluster;

/**
 * What a pod does when its role in the tenant changes. {@link LeaseElection} calls it on a thread of
 * its own, one call at a time and in order; a call should not wait on the election itself.
 */
public interface LeadershipListener {

  /** This pod holds the Lease: it alone may stream the slot, until {@link #stoppedLeading()}. */
  void startedLeading();

  /**
   * This pod must stop streaming the slot now: it gave up the Lease, lost it, or could not renew it
   * in time. Called before the others could see the Lease run out; a clean hand-over waits for this
   * call to return before it releases the Lease.
   */
  void stoppedLeading();

  /**
   * The Lease's holder changed, as this pod last observed it.
   *
   * @param identity the holder's identity ({@code <pod>@<relay address>}, see {@link LeaseIdentity}),
   *     or null when nobody holds it
   */
  void leaderChanged(String identity);
}
