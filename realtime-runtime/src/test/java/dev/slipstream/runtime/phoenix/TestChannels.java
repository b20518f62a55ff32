package dev.slipstream.runtime.phoenix;

import dev.slipstream.runtime.auth.AuthSettings;
import dev.slipstream.runtime.auth.ChannelRules;
import dev.slipstream.runtime.auth.Claims;
import dev.slipstream.runtime.auth.TokenVerifier;
import dev.slipstream.runtime.fanout.FanOut;
import dev.slipstream.runtime.fanout.FanOutMetrics;
import dev.slipstream.runtime.fanout.Subscriber;
import dev.slipstream.runtime.limits.LimitMetrics;
import dev.slipstream.runtime.limits.TenantLimits;
import dev.slipstream.runtime.resume.Resume;
import dev.slipstream.runtime.resume.ResumeRing;
import dev.slipstream.runtime.route.AccessPolicy;
import dev.slipstream.runtime.route.PublishedColumns;
import dev.slipstream.runtime.route.PublishedTables;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import dev.slipstream.runtime.route.SubscriptionIndex;
import dev.slipstream.runtime.transport.ClientConnection;
import dev.slipstream.runtime.transport.ClientErrorLog;
import dev.slipstream.runtime.transport.ClientErrors;
import dev.slipstream.runtime.transport.ConnectionLimits;
import dev.slipstream.runtime.transport.ConnectionMetrics;
import dev.slipstream.runtime.transport.ConnectionWatch;
import java.time.Duration;
import org.slf4j.LoggerFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.time.Clock;

/**
 * The shared side of {@link PhoenixSocketHandler}s for tests on {@link EmbeddedChannel}s:
 * index, fan-out, topics (presence runs at once on the calling thread), verifier, limits, metrics.
 */
final class TestChannels {

  final SubscriptionIndex<Subscriber> index = new SubscriptionIndex<>();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final FanOutMetrics metrics = new FanOutMetrics(registry, Clock.systemUTC());
  final FanOut fanOut = new FanOut(index, new ResumeRing(16), new UnpooledByteBufAllocator(false), metrics);
  final Topics topics = new Topics(new UnpooledByteBufAllocator(false), ImmediateEventExecutor.INSTANCE);
  final LimitMetrics limitMetrics = new LimitMetrics(registry);
  final ConnectionMetrics connectionMetrics = new ConnectionMetrics(registry);
  private final long clientBufferBytes;
  final ChannelContext context;
  /** What joins are checked against; unknown (everything accepted) unless a test sets it. */
  volatile PublishedColumns catalog = PublishedColumns.UNKNOWN;
  /** While true, fresh reads of the catalog wait in {@link #reads} until a test completes them. */
  volatile boolean holdReads;
  final Deque<CompletableFuture<PublishedColumns>> reads = new ConcurrentLinkedDeque<>();
  final AtomicInteger readCount = new AtomicInteger();
  private final PublishedTables tables = new PublishedTables() {
    @Override
    public PublishedColumns current() {
      return catalog;
    }

    @Override
    public CompletableFuture<PublishedColumns> refresh() {
      readCount.incrementAndGet();
      if (!holdReads) {
        return CompletableFuture.completedFuture(catalog);
      }
      CompletableFuture<PublishedColumns> read = new CompletableFuture<>();
      reads.add(read);
      return read;
    }
  };

  TestChannels(AuthSettings auth, AccessPolicy access, TenantLimits limits, Clock clock, long clientBufferBytes) {
    this(auth, access, ChannelRules.NONE, limits, clock, clientBufferBytes);
  }

  TestChannels(AuthSettings auth, AccessPolicy access, ChannelRules channelRules, TenantLimits limits, Clock clock,
      long clientBufferBytes) {
    this.clientBufferBytes = clientBufferBytes;
    context = ChannelContext.of(index, topics, new TokenVerifier(auth, clock), access, channelRules, limits,
        limitMetrics, connectionMetrics, clock, tables, new Resume(fanOut.ring()));
  }

  static TestChannels open() {
    return new TestChannels(AuthSettings.disabled(), AccessPolicy.NONE, TenantLimits.DEFAULTS, Clock.systemUTC(), 1 << 20);
  }

  EmbeddedChannel socket(PhoenixSerializer serializer) {
    return socket(serializer, null, Claims.anonymous());
  }

  EmbeddedChannel socket(PhoenixSerializer serializer, String token, Claims claims) {
    return socket(serializer, token, claims, clientBufferBytes);
  }

  EmbeddedChannel socket(PhoenixSerializer serializer, long clientBufferBytes) {
    return socket(serializer, null, Claims.anonymous(), clientBufferBytes);
  }

  /** A socket as the transport builds it: the connection's byte budget and throttle in front of the handler. */
  private EmbeddedChannel socket(PhoenixSerializer serializer, String token, Claims claims, long budget) {
    ConnectionLimits limits = new ConnectionLimits(budget, 1 << 20, Long.MAX_VALUE / 4, Duration.ofSeconds(10),
        Duration.ofSeconds(60), Long.MAX_VALUE);
    return new EmbeddedChannel(
        new ClientConnection(limits, connectionMetrics, limitMetrics, ConnectionWatch.manual(Long.MAX_VALUE,
            System::nanoTime), new ClientErrors(connectionMetrics, new ClientErrorLog(LoggerFactory.getLogger("test"), 10))),
        new PhoenixSocketHandler(serializer, context, token, claims));
  }
}
