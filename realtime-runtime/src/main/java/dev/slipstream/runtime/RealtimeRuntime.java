package dev.slipstream.runtime;

import dev.slipstream.runtime.admission.ClientAdmission;
import dev.slipstream.runtime.auth.AuthSettings;
import dev.slipstream.runtime.auth.ChannelRules;
import dev.slipstream.runtime.auth.TokenVerifier;
import dev.slipstream.runtime.cluster.ClusterSettings;
import dev.slipstream.runtime.cluster.LeaseElection;
import dev.slipstream.runtime.cluster.RoleSwitch;
import dev.slipstream.runtime.relay.PodBroadcast;
import dev.slipstream.runtime.relay.RelayBacklog;
import dev.slipstream.runtime.status.PodFigures;
import dev.slipstream.runtime.status.PodStatusReporter;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import dev.slipstream.runtime.fanout.FanOut;
import dev.slipstream.runtime.limits.LimitMetrics;
import dev.slipstream.runtime.limits.TenantLimits;
import dev.slipstream.runtime.phoenix.ChannelContext;
import dev.slipstream.runtime.phoenix.PhoenixEndpoint;
import dev.slipstream.runtime.phoenix.DatabaseBroadcasts;
import dev.slipstream.runtime.phoenix.PresenceExchange;
import dev.slipstream.runtime.phoenix.Topics;
import dev.slipstream.runtime.route.AccessPolicy;
import dev.slipstream.runtime.fanout.FanOutMetrics;
import dev.slipstream.runtime.fanout.Subscriber;
import dev.slipstream.runtime.replication.ConfirmGate;
import dev.slipstream.runtime.replication.PublicationCatalog;
import dev.slipstream.runtime.replication.ReplicationSettings;
import dev.slipstream.runtime.replication.ReplicationSource;
import dev.slipstream.runtime.replication.SlotReader;
import dev.slipstream.runtime.resume.Resume;
import dev.slipstream.runtime.resume.ResumeRing;
import dev.slipstream.runtime.route.SubscriptionIndex;
import dev.slipstream.runtime.sse.SseEndpoint;
import dev.slipstream.runtime.tls.RelayTls;
import dev.slipstream.runtime.transport.ConnectionMetrics;
import dev.slipstream.runtime.transport.HttpEndpoint;
import dev.slipstream.runtime.transport.HttpResponses;
import dev.slipstream.runtime.transport.RealtimeServer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

/**
 * One tenant's runtime in one process: the replication source feeding the fan-out, and the
 * Netty server the clients connect to. Start order: server first (so probes answer), then the
 * stream; stop order reversed.
 */
public final class RealtimeRuntime implements AutoCloseable {

  /** How often the relay's leader side reads its certificate again, as the client port does. */
  private static final Duration RELAY_TLS_RELOAD = Duration.ofSeconds(30);

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final FanOut fanOut;
  private final FanOutMetrics metrics;
  private final ConnectionMetrics connectionMetrics;
  private final RealtimeServer server;
  private final Duration drainWindow;
  /** The slot's reader of a runtime on its own; null in a tenant of pods, where {@link #roles} decides. */
  private final SlotReader standaloneReader;
  /** In a tenant of pods: the Lease, the role it gives this pod, and the pod's status entry; else null. */
  private final KubernetesClient kube;
  private final LeaseElection election;
  private final RoleSwitch roles;
  /** TLS on the relay, with the client port's certificate; null without TLS or without peers. */
  private final RelayTls relayTls;
  private final PodStatusReporter reporter;
  private final PresenceExchange presence;
  private final Topics topics;
  private final PublicationCatalog catalog;

  private RealtimeRuntime(RuntimeSettings settings, Clock clock) throws InterruptedException {
    drainWindow = settings.drainWindow();
    new JvmMemoryMetrics().bindTo(registry);
    metrics = new FanOutMetrics(registry, clock);
    fanOut = new FanOut(new SubscriptionIndex<Subscriber>(), new ResumeRing(settings.resumeRingEvents()),
        PooledByteBufAllocator.DEFAULT, metrics);
    registry.gauge("slipstream.subscriptions", fanOut.index(), SubscriptionIndex::size);
    topics = new Topics(PooledByteBufAllocator.DEFAULT);
    registry.gauge("slipstream.topics", topics, Topics::size);
    fanOut.onDatabaseMessage(new DatabaseBroadcasts(topics));
    catalog = new PublicationCatalog(settings.replication(), Duration.ofSeconds(10), Duration.ofMillis(250));
    connectionMetrics = new ConnectionMetrics(registry);
    LimitMetrics limitMetrics = new LimitMetrics(registry);
    TokenVerifier verifier = new TokenVerifier(settings.auth(), clock);
    ClientAdmission admission = new ClientAdmission(verifier, settings.limits(), limitMetrics);
    registry.gauge("slipstream.clients", admission, ClientAdmission::clients);
    Resume resume = new Resume(fanOut.ring());
    ChannelContext channels = ChannelContext.of(fanOut.index(), topics, verifier, settings.access(), settings.channelRules(),
        settings.limits(),
        limitMetrics, connectionMetrics, clock, catalog, resume);
    server = new RealtimeServer(settings.server(), connectionMetrics, limitMetrics, registry);
    server.route(PhoenixEndpoint.PATH, new PhoenixEndpoint(channels, admission, server.webSocket()))
        .route(SseEndpoint.PATH, new SseEndpoint(fanOut, resume, admission, settings.limits(), limitMetrics,
            catalog, settings.access(), settings.server().sseKeepAlive()))
        .route("/healthz", (ctx, request, uri) -> HttpResponses.sendText(ctx, request, HttpResponseStatus.OK, "ok\n"))
        .route("/readyz", (ctx, request, uri) -> {
          String problem = problem();
          HttpResponses.sendText(ctx, request, problem == null ? HttpResponseStatus.OK
              : HttpResponseStatus.SERVICE_UNAVAILABLE, problem == null ? "ready\n" : problem + "\n");
        })
        .route("/metrics", (ctx, request, uri) -> HttpResponses.send(ctx, request, HttpResponseStatus.OK,
            "text/plain; version=0.0.4; charset=utf-8", registry.scrape().getBytes(StandardCharsets.UTF_8)))
        .bind();
    registry.gauge("slipstream.replication.lag.bytes", this, RealtimeRuntime::slotLagBytes);
    // What a dashboard needs to see a cut to the database while it lasts (readiness says why).
    Gauge.builder("slipstream.replication.streaming", this, runtime -> runtime.streamingNow() ? 1 : 0)
        .description("1 while this pod streams the slot over an open replication connection, else 0")
        .register(registry);
    FunctionCounter.builder("slipstream.replication.connects", this, runtime -> {
          ReplicationSource source = runtime.source();
          return source == null ? 0 : source.connects();
        }).description("Replication connections opened by this pod's current slot reader (reconnects after the first)")
        .register(registry);
    ClusterSettings cluster = settings.cluster();
    if (cluster == null) {
      standaloneReader = SlotReader.start(settings.replication(), fanOut, clock, registry, null,
          ConfirmGate.DELIVERED);
      kube = null;
      election = null;
      roles = null;
      relayTls = null;
      reporter = null;
      presence = null;
    } else {
      standaloneReader = null;
      kube = new KubernetesClientBuilder().build();
      PodFigures figures = new PodFigures(new RuntimeLoad(admission, topics, fanOut, metrics, connectionMetrics),
          this::podRole);
      reporter = new PodStatusReporter(kube, cluster, figures, clock, registry);
      roles = new RoleSwitch(cluster, settings.replication(), settings.server().host(), fanOut,
          new RelayBacklog(RelayBacklog.DEFAULT_MAX_BYTES, registry), clock, registry, reporter::reportNow);
      // The relay carries the same rows as the client port: with TLS there, TLS here too, same certificate.
      relayTls = settings.server().tls() == null ? null : RelayTls.load(settings.server().tls(), RELAY_TLS_RELOAD);
      roles.relayTls(relayTls);
      // Client broadcasts cross pods through the leader's relay, both ways.
      roles.broadcasts(b -> topics.broadcastFromPeer(b.topic(), b.privateChannel(), b.event(), b.payload(), b.json(),
          b.binaryOrigin()), settings.limits().maxPayloadBytes());
      RoleSwitch pods = roles;
      topics.peers((topic, privateChannel, event, payload, json, binaryOrigin, acknowledged) -> pods.broadcast(
          new PodBroadcast(topic, privateChannel, event, payload, json, binaryOrigin), acknowledged));
      presence = PresenceWiring.connect(topics, roles, cluster, settings.limits().maxPresencePayloadBytes());
      election = new LeaseElection(kube, cluster, roles);
      reporter.start();
      election.start();
    }
  }

  public static RealtimeRuntime start(RuntimeSettings settings) throws InterruptedException {
    return new RealtimeRuntime(settings, Clock.systemUTC());
  }

  public int port() {
    return server.port();
  }

  /** Serves another endpoint on the runtime's port (dev mode's page and demo writes). */
  public RealtimeRuntime route(String path, HttpEndpoint endpoint) {
    server.route(path, endpoint);
    return this;
  }

  public FanOut fanOut() {
    return fanOut;
  }

  private SlotReader reader() {
    return roles == null ? standaloneReader : roles.reader();
  }

  /** Why the runtime does not serve changes now; null when it does. */
  private String problem() {
    if (roles != null) {
      return roles.problem();
    }
    if (standaloneReader == null) {
      return "starting"; // probed while the constructor still runs
    }
    ReplicationSource source = standaloneReader.source();
    String error = source.lastError();
    if (error != null) {
      // What PostgreSQL or the network said (a lost slot, a refused connection): what to fix.
      return "not streaming from the replication slot: " + error;
    }
    return source.connects() > 0 ? null : "not streaming from the replication slot yet";
  }

  private PodFigures.Role podRole() {
    long lag = slotLagBytes();
    return new PodFigures.Role(roles.role().text(), roles.ready(), roles.problem(),
        roles.role() == RoleSwitch.Role.LEADER && lag >= 0 ? lag : null, roles.relayAddress());
  }

  private boolean streamingNow() {
    ReplicationSource source = source();
    return source != null && source.connects() > 0 && source.lastError() == null;
  }

  /** The slot's replication source; null while this pod does not read the slot. */
  public ReplicationSource source() {
    SlotReader current = reader();
    return current == null ? null : current.source();
  }

  /** Heartbeat messages written into the database so far (by this pod's current reader). */
  public double heartbeatsWritten() {
    SlotReader current = reader();
    return current == null ? 0 : current.heartbeatsWritten();
  }

  /** Bytes of WAL after the slot's confirmed position, as this pod's reader sees it; -1 when it reads none. */
  public long slotLagBytes() {
    SlotReader current = reader();
    return current == null ? -1 : current.lagBytes();
  }

  public FanOutMetrics metrics() {
    return metrics;
  }

  public ConnectionMetrics connectionMetrics() {
    return connectionMetrics;
  }

  /**
   * The pod is going away (SIGTERM, a scale-down): stops accepting clients and asks each connected
   * one to reconnect at a random moment within the drain window, so the remaining pods see the
   * reconnects spread out; returns when they have gone. The leader keeps streaming meanwhile;
   * {@link #close()} then lets the slot go and hands the Lease over.
   */
  public void drain() {
    server.drain(drainWindow);
  }

  @Override
  public void close() {
    if (election != null) {
      election.close(); // steps down first (the slot is let go), then hands the Lease over at once
      roles.close();
      if (relayTls != null) {
        relayTls.close();
      }
      presence.close();
      reporter.close(); // removes this pod's status entry
      kube.close();
    } else {
      standaloneReader.close();
    }
    catalog.close();
    server.close();
    topics.close();
    registry.close();
  }

  public Topics topics() {
    return topics;
  }

  /**
   * Everything the runtime is configured with.
   *
   * @param auth how apikeys and access tokens are verified (disabled: every client is anonymous)
   * @param access claim-based row access rules
   * @param limits the tenant's limits
   * @param cluster how the pod takes part in its tenant (Lease, relay, status); null: it runs alone
   * @param channelRules who may join which private channel, beyond a role that is not anon
   */
  public record RuntimeSettings(ReplicationSettings replication, RealtimeServer.Settings server, int resumeRingEvents,
      AuthSettings auth, AccessPolicy access, TenantLimits limits, ClusterSettings cluster, Duration drainWindow,
      ChannelRules channelRules) {

    /** The default drain window: clients are asked to reconnect within 10 s of a SIGTERM. */
    public static final Duration DEFAULT_DRAIN_WINDOW = Duration.ofSeconds(10);

    /** Without channel rules: any token whose role is not anon joins any private channel. */
    public RuntimeSettings(ReplicationSettings replication, RealtimeServer.Settings server, int resumeRingEvents,
        AuthSettings auth, AccessPolicy access, TenantLimits limits, ClusterSettings cluster, Duration drainWindow) {
      this(replication, server, resumeRingEvents, auth, access, limits, cluster, drainWindow, ChannelRules.NONE);
    }

    /** Alone: streams the slot itself and reports nowhere. */
    public RuntimeSettings(ReplicationSettings replication, RealtimeServer.Settings server, int resumeRingEvents,
        AuthSettings auth, AccessPolicy access, TenantLimits limits) {
      this(replication, server, resumeRingEvents, auth, access, limits, null, DEFAULT_DRAIN_WINDOW);
    }

    /** Without authentication or access rules, with the default limits: dev mode and tests. */
    public RuntimeSettings(ReplicationSettings replication, RealtimeServer.Settings server, int resumeRingEvents) {
      this(replication, server, resumeRingEvents, AuthSettings.disabled(), AccessPolicy.NONE, TenantLimits.DEFAULTS);
    }
  }
}
