package dev.slipstream.runtime.relay;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The relay's meters, made once per process and shared by every {@link RelayServer} and
 * {@link RelayClient} it creates (a pod changes roles; its gauges stay the same meters).
 *
 * <p>Gauges {@code slipstream_relay_followers} (followers connected to this pod's relay and
 * acknowledging) and {@code slipstream_relay_client_connected} (1 while this pod follows a leader);
 * counters {@code slipstream_relay_client_gaps_total} (the leader no longer had everything after
 * what this pod had), followers cut off for lagging
 * ({@code slipstream_relay_followers_cut_off_total{reason}}: {@value #UNACKED_BYTES},
 * {@value #ACK_TIMEOUT}, {@value #UNWRITABLE}, {@value #SILENT}: nothing heard for three keepalive intervals) and connections refused
 * ({@code slipstream_relay_rejected_total{reason}}: {@value #HANDSHAKE_TIMEOUT}, {@value #BAD_SECRET},
 * {@value #MALFORMED_FRAME}, {@value #OVERSIZED_FRAME}, {@value #UNSUPPORTED_VERSION},
 * {@value #TOO_MANY_CONNECTIONS}). Client broadcasts crossing pods:
 * {@code slipstream_relay_broadcasts_total{direction}} ({@value #SENT}: BROADCAST frames this pod
 * wrote, one per receiving pod; {@value #RECEIVED}: frames it read) and
 * {@code slipstream_relay_broadcasts_failed_total{reason}} (broadcasts that did not reach the
 * leader, or whose acknowledgement did not come: {@value #NO_LEADER}, {@value #ACK_TIMEOUT},
 * {@value #DISCONNECTED}, {@value #BACKPRESSURE}: more than 4 MiB waiting to be written to the leader).
 */
public final class RelayMetrics {

  static final String UNACKED_BYTES = "unacked_bytes";
  static final String ACK_TIMEOUT = "ack_timeout";
  static final String UNWRITABLE = "unwritable";
  static final String SILENT = "silent";

  static final String SENT = "sent";
  static final String RECEIVED = "received";
  static final String NO_LEADER = "no_leader";
  static final String DISCONNECTED = "disconnected";
  static final String BACKPRESSURE = "backpressure";

  static final String HANDSHAKE_TIMEOUT = "handshake_timeout";
  static final String BAD_SECRET = "bad_secret";
  static final String MALFORMED_FRAME = "malformed_frame";
  static final String OVERSIZED_FRAME = "oversized_frame";
  static final String UNSUPPORTED_VERSION = "unsupported_version";
  static final String TOO_MANY_CONNECTIONS = "too_many_connections";

  private final MeterRegistry registry;
  private final Map<String, Counter> cutOff = new ConcurrentHashMap<>();
  private final Map<String, Counter> rejected = new ConcurrentHashMap<>();
  private final AtomicInteger followers = new AtomicInteger();
  private final AtomicInteger following = new AtomicInteger();
  private final Counter gaps;
  private final Counter broadcastsSent;
  private final Counter broadcastsReceived;
  private final Map<String, Counter> broadcastsFailed = new ConcurrentHashMap<>();

  public RelayMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("slipstream.relay.followers", followers, AtomicInteger::get)
        .description("Followers connected to this pod's relay and acknowledging").register(registry);
    Gauge.builder("slipstream.relay.client.connected", following, AtomicInteger::get)
        .description("1 while this pod follows the leader's relay").register(registry);
    this.gaps = Counter.builder("slipstream.relay.client.gaps")
        .description("Times the leader no longer had everything after what this pod had").register(registry);
    this.broadcastsSent = broadcasts(SENT);
    this.broadcastsReceived = broadcasts(RECEIVED);
    for (String reason : new String[] {NO_LEADER, ACK_TIMEOUT, DISCONNECTED, BACKPRESSURE}) {
      broadcastFailed(reason);
    }
    for (String reason : new String[] {UNACKED_BYTES, ACK_TIMEOUT, UNWRITABLE, SILENT}) {
      cutOff(reason);
    }
    for (String reason : new String[] {HANDSHAKE_TIMEOUT, BAD_SECRET, MALFORMED_FRAME, OVERSIZED_FRAME,
        UNSUPPORTED_VERSION, TOO_MANY_CONNECTIONS}) {
      rejected(reason);
    }
  }

  void followerJoined() {
    followers.incrementAndGet();
  }

  void followerLeft() {
    followers.decrementAndGet();
  }

  void following(boolean connected) {
    following.set(connected ? 1 : 0);
  }

  void gap() {
    gaps.increment();
  }

  void followerCutOff(String reason) {
    cutOff(reason).increment();
  }

  void connectionRejected(String reason) {
    rejected(reason).increment();
  }

  void broadcastSent() {
    broadcastsSent.increment();
  }

  void broadcastReceived() {
    broadcastsReceived.increment();
  }

  Counter broadcastFailed(String reason) {
    return broadcastsFailed.computeIfAbsent(reason, r -> Counter.builder("slipstream.relay.broadcasts.failed")
        .description("Client broadcasts that did not reach the leader, or whose acknowledgement did not come, by reason")
        .tag("reason", r).register(registry));
  }

  private Counter broadcasts(String direction) {
    return Counter.builder("slipstream.relay.broadcasts")
        .description("Client broadcasts crossing pods: BROADCAST frames written (one per receiving pod) and read")
        .tag("direction", direction).register(registry);
  }

  private Counter cutOff(String reason) {
    return cutOff.computeIfAbsent(reason, r -> Counter.builder("slipstream.relay.followers.cut.off")
        .description("Followers the leader disconnected for lagging, by reason").tag("reason", r).register(registry));
  }

  private Counter rejected(String reason) {
    return rejected.computeIfAbsent(reason, r -> Counter.builder("slipstream.relay.rejected")
        .description("Relay connections closed before or for breaking the protocol, by reason").tag("reason", r)
        .register(registry));
  }
}
