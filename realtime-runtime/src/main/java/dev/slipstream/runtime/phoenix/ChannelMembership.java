package dev.slipstream.runtime.phoenix;

import dev.slipstream.runtime.change.ChangeEvent;
import dev.slipstream.runtime.fanout.EncodedChange;
import dev.slipstream.runtime.fanout.ResumableSubscriber;
import dev.slipstream.runtime.fanout.Subscriber;
import dev.slipstream.runtime.payload.SupabaseChange;
import dev.slipstream.runtime.route.SubscriptionIndex;
import dev.slipstream.runtime.transport.ClientConnection;
import dev.slipstream.runtime.transport.WebSocketFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import dev.slipstream.runtime.auth.Claims;
import dev.slipstream.runtime.route.AccessPolicy;
import dev.slipstream.runtime.route.ChangeFilter;
import dev.slipstream.runtime.route.ClaimAccess;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.ScheduledFuture;

/**
 * A socket's membership of one channel topic: its join's options, and the {@link Subscriber} the
 * fan-out delivers its postgres_changes to. A change matching several of its bindings becomes one
 * push listing all their ids, as realtime-js expects.
 *
 * <p>Registration state (subscriptions, the claims they were made with, the token expiry timer)
 * belongs to the socket's event loop; the fan-out reads only the immutable fields.
 */
final class ChannelMembership extends ResumableSubscriber {

  private final String topic;
  private final String joinRef;
  private final PhoenixSerializer serializer;
  private final List<PostgresBinding> bindings;
  private final ClientConnection connection;
  /** The connection's event loop, kept here: the fan-out asks for it for every change this channel gets. */
  private final EventExecutor executor;
  private final JoinConfig config;
  /** Made on first use ({@link #presenceKey}): most channels never track a presence. */
  private volatile String presenceKey;
  private final String quotedTopic;
  private final List<SubscriptionIndex.Subscription<Subscriber>> subscriptions = new ArrayList<>();
  private String token;
  private Claims claims;
  private Topic joinedTopic;
  private ScheduledFuture<?> expiry;
  /** Whether the channel tracks a presence (counted against the socket's presences); event loop. */
  private boolean tracking;
  /** With one binding, the index matched exactly it: the ids are known without re-testing filters. */
  private final String singleBindingIds;
  private final FrameKey singleBindingKey;
  private final byte[] singleBindingPrefix;

  ChannelMembership(String topic, String joinRef, PhoenixSerializer serializer, JoinConfig config, String token,
      Claims claims, ClientConnection connection) {
    this.topic = topic;
    this.joinRef = joinRef;
    this.serializer = serializer;
    this.config = config;
    this.bindings = config.bindings();
    this.connection = connection;
    this.executor = connection.channel().eventLoop();
    this.token = token;
    this.claims = claims;
    this.quotedTopic = PhoenixSerializer.quote(topic);
    this.singleBindingIds = this.bindings.size() == 1 ? "[" + this.bindings.getFirst().id() + "]" : null;
    this.singleBindingKey = singleBindingIds == null ? null : new FrameKey(serializer, topic, singleBindingIds);
    // The push envelope's head is the same for every change this channel gets: built once.
    this.singleBindingPrefix = singleBindingIds == null ? null
        : serializer.pushEnvelope(topic, PhoenixMessage.POSTGRES_CHANGES, singleBindingIds, "")[0];
  }

  String topic() {
    return topic;
  }

  String joinRef() {
    return joinRef;
  }

  PhoenixSerializer serializer() {
    return serializer;
  }

  ClientConnection connection() {
    return connection;
  }

  JoinConfig config() {
    return config;
  }

  boolean broadcastSelf() {
    return config.broadcastSelf();
  }

  boolean privateChannel() {
    return config.privateChannel();
  }

  /**
   * The channel's presence key. Supabase's rule: an empty key means one of the server's choosing,
   * unique to this channel. That one is made when a presence is first tracked, not at the join: a
   * random UUID's string is ~80 bytes held by every idle channel (and its making ~100 bytes of
   * garbage per join) that most channels, which never track, do not need. Stable once made.
   */
  String presenceKey() {
    String key = presenceKey;
    if (key == null) {
      synchronized (this) {
        key = presenceKey;
        if (key == null) {
          key = config.presenceKey().isEmpty() ? UUID.randomUUID().toString() : config.presenceKey();
          presenceKey = key;
        }
      }
    }
    return key;
  }

  String token() {
    return token;
  }

  Claims claims() {
    return claims;
  }

  Topic joinedTopic() {
    return joinedTopic;
  }

  void joinedTopic(Topic topic) {
    this.joinedTopic = topic;
  }

  /** The subtopic realtime-js shows ({@code room1} of {@code realtime:room1}). */
  String subTopic() {
    return topic.startsWith(PhoenixMessage.TOPIC_PREFIX) ? topic.substring(PhoenixMessage.TOPIC_PREFIX.length()) : topic;
  }

  /** Registers every binding, each restricted to the rows the claims may see. */
  void register(SubscriptionIndex<Subscriber> index, AccessPolicy access) {
    ClaimAccess claimAccess = access.isEmpty() ? null : access.accessFor(claims::claim);
    for (PostgresBinding binding : bindings) {
      ChangeFilter filter = binding.changeFilter();
      subscriptions.add(index.add(claimAccess == null ? filter
          : new ChangeFilter(filter.schema(), filter.table(), filter.events(), filter.rowFilter(), claimAccess), this));
    }
  }

  /** A refreshed token: its claims replace the old ones, for the subscriptions too. */
  void reauthorize(String newToken, Claims newClaims, SubscriptionIndex<Subscriber> index, AccessPolicy access) {
    this.token = newToken;
    this.claims = newClaims;
    if (!access.isEmpty()) {
      // Add first, then remove: a change in between reaches the channel (twice at worst), never not at all.
      List<SubscriptionIndex.Subscription<Subscriber>> old = new ArrayList<>(subscriptions);
      subscriptions.clear();
      register(index, access);
      old.forEach(index::remove);
    }
  }

  boolean tracking() {
    return tracking;
  }

  void tracking(boolean tracking) {
    this.tracking = tracking;
  }

  void expiry(ScheduledFuture<?> timer) {
    cancelExpiry();
    this.expiry = timer;
  }

  void cancelExpiry() {
    if (expiry != null) {
      expiry.cancel(false);
      expiry = null;
    }
  }

  void unregister(SubscriptionIndex<Subscriber> index) {
    subscriptions.forEach(index::remove);
    subscriptions.clear();
  }

  @Override
  public Object frameKey(ChangeEvent event) {
    return singleBindingKey != null ? singleBindingKey : new FrameKey(serializer, topic, idsJson(event));
  }

  @Override
  public ByteBuf encode(ChangeEvent event, EncodedChange change, ByteBufAllocator allocator) {
    byte[] position = positionSuffix(event);
    if (singleBindingPrefix != null) {
      return WebSocketFrames.text(allocator, singleBindingPrefix, change.as(SupabaseChange.WIRE), position);
    }
    byte[][] envelope = serializer.pushEnvelope(topic, PhoenixMessage.POSTGRES_CHANGES, idsJson(event),
        event.position().toString());
    return WebSocketFrames.text(allocator, envelope[0], change.as(SupabaseChange.WIRE), envelope[1]);
  }

  @Override
  public boolean sameFrameKeyForEveryEvent() {
    return singleBindingKey != null;
  }

  @Override
  public boolean mayMatchTwice() {
    return singleBindingIds == null;
  }

  /** A {@code system} message with status {@code error} on this channel, as Supabase reports a binding's trouble. */
  @Override
  public void skipped(ChangeEvent event, String reason) {
    executor.execute(() -> Replies.system(this, "postgres_changes", "error", reason));
  }

  @Override
  public EventExecutor executor() {
    return executor;
  }

  @Override
  protected void send(ByteBuf frame) {
    // No position for the connection: two channels of one socket may both receive the same event.
    connection.queue(frame);
  }

  @Override
  public void flush() {
    connection.flushQueued();
  }

  /** Whether one of the channel's subscriptions (claims included) admits the event. */
  boolean wants(ChangeEvent event) {
    for (SubscriptionIndex.Subscription<Subscriber> subscription : subscriptions) {
      if (subscription.filter().matches(event)) {
        return true;
      }
    }
    return false;
  }

  /** The envelope's tail after the data: the position, then the closing brackets of the serializer. */
  private byte[] positionSuffix(ChangeEvent event) {
    String position = ",\"position\":\"" + event.position() + "\"}";
    return (serializer == PhoenixSerializer.V2 ? position + "]"
        : position + ",\"ref\":null,\"topic\":" + quotedTopic + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private String idsJson(ChangeEvent event) {
    if (singleBindingIds != null) {
      return singleBindingIds;
    }
    StringBuilder ids = new StringBuilder("[");
    for (PostgresBinding binding : bindings) {
      if (binding.changeFilter().matches(event)) {
        if (ids.length() > 1) {
          ids.append(',');
        }
        ids.append(binding.id());
      }
    }
    return ids.append(']').toString();
  }

  /**
   * Equal for channels that get the very same push. Not a record: the fan-out compares the key of
   * each subscriber with the previous one's, 15,000 times per change in the fan-out benchmark, and
   * a record's generated equals (an invokedynamic bootstrap, then two string comparisons, each a
   * load from another channel's objects) was a fifth of the routing thread's profile. The strings
   * are interned and the hash computed once, so equal keys compare by identity.
   */
  private static final class FrameKey {
    private final PhoenixSerializer serializer;
    private final String topic;
    private final String ids;
    private final int hash;

    FrameKey(PhoenixSerializer serializer, String topic, String ids) {
      this.serializer = serializer;
      // Interned, so that keys compare by identity: no string of another channel is loaded.
      this.topic = topic.intern();
      this.ids = ids.intern();
      this.hash = (serializer.hashCode() * 31 + topic.hashCode()) * 31 + ids.hashCode();
    }

    @Override
    public boolean equals(Object other) {
      return other == this || other instanceof FrameKey key && key.hash == hash && key.serializer == serializer
          && key.topic == topic && key.ids == ids;
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
