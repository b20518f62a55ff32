package dev.slipstream.runtime.cluster;

import java.util.Optional;

/**
 * A pod's identity in the tenant's Lease: {@code <pod>@<relay address>}. The holder's identity is
 * all a follower needs to find the leader's relay, without a lookup of its own. Pod names cannot
 * hold {@code @}; a relay address never does either ({@code host:port}, {@code [v6]:port}).
 */
public final class LeaseIdentity {

  private LeaseIdentity() {
  }

  /** {@code <pod>@<relay address>}. */
  public static String of(ClusterSettings settings) {
    return settings.pod() + "@" + settings.relayAddress();
  }

  /** The pod named by an identity (the whole identity when it names no relay: someone else wrote it). */
  public static String pod(String identity) {
    int at = identity.indexOf('@');
    return at < 0 ? identity : identity.substring(0, at);
  }

  /** The relay address ({@code host:port}) named by an identity; empty when it names none. */
  public static Optional<String> relayAddress(String identity) {
    int at = identity.indexOf('@');
    return at < 0 || at == identity.length() - 1 ? Optional.empty() : Optional.of(identity.substring(at + 1));
  }
}
