package dev.slipstream.testing.node;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's pod network: a /24 of addresses that reach this machine, one per pod, so that every
 * pod can listen on its containers' ports.
 *
 * <p>The addresses come from {@link #POD_NETWORK} when that range is local here (a route
 * {@code local 10.244.0.0/16 dev lo}; {@code bin/lib/pod-network/bin/java} sets one up in a private
 * network namespace for the tests). Otherwise they come from {@code 127.0.0.0/8}. That works for
 * the processes, but the API server refuses loopback addresses in EndpointSlices, so the pods'
 * Services get no endpoints. The /24 is picked at random, so that test JVMs running at the same
 * time on one machine do not hand out the same addresses. A released address goes to the back of
 * the line, so a new pod does not get an address that a pod just gave up.
 */
final class PodAddresses {

  static final String POD_NETWORK = "10.244.0.0/16";
  private static final Logger LOG = LoggerFactory.getLogger(PodAddresses.class);

  private final String prefix;
  private final boolean routable;
  private final Deque<String> free = new ArrayDeque<>();

  PodAddresses() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String podNetwork = "10.244." + random.nextInt(0, 256) + ".";
    this.routable = isLocal(podNetwork + "1");
    // Loopback: second octet from 100, clear of 127.0.0.x where most local services listen.
    this.prefix = routable ? podNetwork : "127." + random.nextInt(100, 250) + "." + random.nextInt(0, 256) + ".";
    if (!routable) {
      LOG.warn("The pod network {} is not local here: pods get loopback addresses in {}0/24, which the API server "
          + "refuses in EndpointSlices (their Services get no endpoints). Run the JVM through "
          + "bin/lib/pod-network/bin/java, or add the route as root: ip route add local {} dev lo",
          POD_NETWORK, prefix, POD_NETWORK);
    }
    for (int host = 2; host < 255; host++) {
      free.add(prefix + host);
    }
  }

  /** The node's pod CIDR. */
  String cidr() {
    return prefix + "0/24";
  }

  /** Whether the addresses can stand in EndpointSlices (they are not loopback addresses). */
  boolean routable() {
    return routable;
  }

  synchronized String allocate() {
    String address = free.poll();
    if (address == null) {
      throw new IllegalStateException("all 253 pod addresses of " + cidr() + " are in use");
    }
    return address;
  }

  synchronized void release(String address) {
    if (address != null && address.startsWith(prefix) && !free.contains(address)) {
      free.addLast(address);
    }
  }

  private static boolean isLocal(String address) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(address, 0));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
