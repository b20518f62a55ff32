package dev.slipstream.testing.faults;

import java.util.Locale;

/**
 * One proxy of a {@link Toxiproxy} server: clients connect to {@link #port()} on 127.0.0.1 instead
 * of the upstream. The faults a test injects:
 *
 * <ul>
 *   <li>{@link #disable()}: the network is cut; every open connection is closed and new ones are
 *       refused until {@link #enable()}.
 *   <li>{@link #blackhole(String)}: the connections stay open but nothing gets through
 *       (Toxiproxy's {@code timeout} toxic with timeout 0). Toxiproxy drops what is sent meanwhile,
 *       so after removal the streams have a hole: a silent partition while it lasts, not one that
 *       heals as TCP would (retransmitting).
 *   <li>{@link #resetPeer(String, long)}: connections are reset (RST) after the given time.
 *   <li>{@link #latency(String, Stream, long, long)} and {@link #bandwidth(String, Stream, long)}.
 * </ul>
 *
 * Toxics stay until {@link #removeToxic(String)}.
 */
public final class ToxiproxyProxy {

  /** Which way a toxic acts: toward the client (downstream) or toward the upstream server. */
  public enum Stream { UPSTREAM, DOWNSTREAM }

  private final Toxiproxy server;
  private final String name;
  private final int port;

  ToxiproxyProxy(Toxiproxy server, String name, int port) {
    this.server = server;
    this.name = name;
    this.port = port;
  }

  public String name() {
    return name;
  }

  /** The loopback port clients connect to. */
  public int port() {
    return port;
  }

  /** Cuts the network: closes every connection and refuses new ones. */
  public ToxiproxyProxy disable() {
    return enabled(false);
  }

  /** Restores the network; the proxy listens on the same port again. */
  public ToxiproxyProxy enable() {
    return enabled(true);
  }

  /**
   * Points the proxy at another server ({@code host:port}), as a database's service address moves
   * to a promoted standby; Toxiproxy restarts the proxy, closing the connections it carried.
   */
  public ToxiproxyProxy upstream(String upstream) {
    server.request("POST", "/proxies/" + name, "{\"upstream\":\"" + upstream + "\"}", 200);
    return this;
  }

  private ToxiproxyProxy enabled(boolean enabled) {
    server.request("POST", "/proxies/" + name, "{\"enabled\":" + enabled + "}", 200);
    return this;
  }

  /** Adds {@code latencyMillis} (± {@code jitterMillis}) to the data going one way. */
  public ToxiproxyProxy latency(String toxic, Stream stream, long latencyMillis, long jitterMillis) {
    return toxic(toxic, "latency", stream, "{\"latency\":" + latencyMillis + ",\"jitter\":" + jitterMillis + "}");
  }

  /** Limits the data going one way to {@code kilobytesPerSecond} KB/s. */
  public ToxiproxyProxy bandwidth(String toxic, Stream stream, long kilobytesPerSecond) {
    return toxic(toxic, "bandwidth", stream, "{\"rate\":" + kilobytesPerSecond + "}");
  }

  /** Lets nothing through either way while the connections stay open (a silent partition). */
  public ToxiproxyProxy blackhole(String toxic) {
    toxic(toxic + "-up", "timeout", Stream.UPSTREAM, "{\"timeout\":0}");
    return toxic(toxic + "-down", "timeout", Stream.DOWNSTREAM, "{\"timeout\":0}");
  }

  /** Removes what {@link #blackhole(String)} added. */
  public ToxiproxyProxy removeBlackhole(String toxic) {
    removeToxic(toxic + "-up");
    return removeToxic(toxic + "-down");
  }

  /** Resets every connection (TCP RST) {@code afterMillis} after its data starts to flow. */
  public ToxiproxyProxy resetPeer(String toxic, long afterMillis) {
    return toxic(toxic, "reset_peer", Stream.DOWNSTREAM, "{\"timeout\":" + afterMillis + "}");
  }

  public ToxiproxyProxy removeToxic(String toxic) {
    server.request("DELETE", "/proxies/" + name + "/toxics/" + toxic, null, 204);
    return this;
  }

  private ToxiproxyProxy toxic(String toxic, String type, Stream stream, String attributes) {
    server.request("POST", "/proxies/" + name + "/toxics", "{\"name\":\"" + toxic + "\",\"type\":\"" + type
        + "\",\"stream\":\"" + stream.name().toLowerCase(Locale.ROOT) + "\",\"toxicity\":1.0,\"attributes\":"
        + attributes + "}", 200);
    return this;
  }
}
