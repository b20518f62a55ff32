package dev.slipstream.runtime.phoenix;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipstream.runtime.auth.AuthSettings;
import dev.slipstream.runtime.auth.TestTokens;
import dev.slipstream.runtime.change.ChangeEvent.RowChange;
import dev.slipstream.runtime.change.ChangeFixtures;
import dev.slipstream.runtime.change.EventPosition;
import dev.slipstream.runtime.change.json.PgType;
import dev.slipstream.runtime.limits.TenantLimits;
import dev.slipstream.runtime.route.AccessPolicy;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Claim-based access cannot be bypassed through what a client controls: whatever it combines in
 * its channel (one to three postgres_changes bindings, filters with {@code eq}, {@code neq},
 * {@code in}, {@code lt}, {@code gte} on the ruled column or another, values written as {@code 1},
 * {@code 1.0}, {@code 01}, {@code "1"}, {@code t}), whatever its claim holds (numbers, strings
 * that look like numbers, booleans, null, objects, arrays, nothing), through a token refresh to
 * other claims, and through a resume from a position, a channel is never pushed a row its claim
 * does not allow. The whole path runs: the real {@link PhoenixSocketHandler} behind a
 * {@code ClientConnection}, joins parsed from text, the subscription index, the fan-out, and the
 * resume ring. The oracle compares values on its own, without {@code RowFilter} or {@code ClaimAccess}.
 *
 * <p>Private channels gated by claim ({@code SLIPSTREAM_CHANNEL_RULES}) for broadcast and presence:
 * {@link PrivateChannelBypassPropertiesTest}, which uses this class's plumbing.
 *
 * <p>The relay needs no property of its own: a follower's fan-out receives every change of the
 * stream (the leader never filters for someone else's clients) and routes it through this same
 * index and these same channels, with its own clients' claims.
 */
class ClaimBypassPropertiesTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final String TOPIC = "realtime:room1";

  /** The ruled column of {@code public.messages (id int8, room text, body text, score numeric, pinned bool)}. */
  enum RuledColumn {
    ROOM("room", 1, PgType.TEXT), SCORE("score", 3, PgType.NUMERIC), ID("id", 0, PgType.INT8),
    PINNED("pinned", 4, PgType.BOOL);

    final String column;
    final int index;
    final PgType type;

    RuledColumn(String column, int index, PgType type) {
      this.column = column;
      this.index = index;
      this.type = type;
    }
  }

  /** A generated row: {@code kind} 0 insert, 1 update, 2 delete with the full old row, 3 delete with the key only. */
  record Row(int kind, String room, String score, String pinned) {
  }

  /** A claim as it appears in the token's JSON; {@link #ABSENT} leaves it out. */
  static final Object ABSENT = new Object() {
    @Override
    public String toString() {
      return "<absent>";
    }
  };

  @Property(tries = 400)
  void aChannelIsNeverPushedARowItsClaimDoesNotAllow(@ForAll("columns") RuledColumn ruled,
      @ForAll("claimPaths") String claimPath, @ForAll("claims") Object claim, @ForAll("claims") Object refreshed,
      @ForAll("bindings") List<String> bindings, @ForAll("rows") List<Row> live, @ForAll("rows") List<Row> afterRefresh,
      @ForAll("rows") List<Row> whileAway) {
    TestChannels channels = new TestChannels(AuthSettings.withSecret(TestTokens.SECRET),
        AccessPolicy.parse("public.messages:" + ruled.column + "=" + claimPath), TenantLimits.DEFAULTS, CLOCK, 1 << 20);
    Feed feed = new Feed(channels);
    String token = token(claimPath, claim);
    String config = "{\"postgres_changes\":[" + String.join(",", bindings) + "]}";

    EmbeddedChannel socket = channels.socket(PhoenixSerializer.V2, token, claimsOf(channels, token));
    try {
      send(socket, join("1", config));
      boolean joined = "ok".equals(drain(socket).getFirst().get(4).get("status").asText());
      feed.commit(live, ruled);
      List<Long> pushedLive = pushedIds(drain(socket));
      assertAllowed(pushedLive, feed, ruled, claim, "live, claim " + describe(claim));
      if (joined && bindings.contains(EVERYTHING)) {
        // Not vacuous: a binding that takes every change gets every row the claim allows.
        assertThat(pushedLive).containsAll(feed.allowedIds(ruled, claim));
      }

      String newToken = token(claimPath, refreshed);
      send(socket, "[\"1\",\"2\",\"" + TOPIC + "\",\"access_token\",{\"access_token\":\"" + newToken + "\"}]");
      drain(socket);
      feed.commit(afterRefresh, ruled);
      assertAllowed(pushedIds(drain(socket)), feed, ruled, refreshed, "after a refresh to " + describe(refreshed));
      EventPosition seen = feed.lastPosition();
      socket.close();

      feed.commit(whileAway, ruled);
      EmbeddedChannel again = channels.socket(PhoenixSerializer.V2, token,
          claimsOf(channels, token));
      try {
        String resume = config.substring(0, config.length() - 1) + ",\"resume_after\":\"" + seen + "\"}";
        send(again, join("2", resume));
        assertAllowed(pushedIds(drain(again)), feed, ruled, claim, "resumed with claim " + describe(claim));
      } finally {
        again.finishAndReleaseAll();
      }
    } finally {
      socket.finishAndReleaseAll();
    }
  }

  @Property(tries = 200)
  void withoutAFilterEveryAllowedRowArrivesOnceAndNothingElse(@ForAll("columns") RuledColumn ruled,
      @ForAll("claims") Object claim, @ForAll("rows") List<Row> rows) {
    TestChannels channels = new TestChannels(AuthSettings.withSecret(TestTokens.SECRET),
        AccessPolicy.parse("public.messages:" + ruled.column + "=tenant"), TenantLimits.DEFAULTS, CLOCK, 1 << 20);
    Feed feed = new Feed(channels);
    String token = token("tenant", claim);
    EmbeddedChannel socket = channels.socket(PhoenixSerializer.V2, token, claimsOf(channels, token));
    try {
      send(socket, join("1", "{\"postgres_changes\":[" + EVERYTHING + "]}"));
      drain(socket);
      feed.commit(rows, ruled);
      List<Long> expected = feed.allowedIds(ruled, claim);
      assertThat(pushedIds(drain(socket))).as("claim %s on %s", describe(claim), ruled.column)
          .containsExactlyElementsOf(expected);
    } finally {
      socket.finishAndReleaseAll();
    }
  }

  @Property(tries = 200)
  void broadcastsNeverCrossBetweenPrivateAndPublicAndAnonCannotJoinPrivate(
      @ForAll("members") List<Tuple.Tuple3<String, Boolean, String>> members) {
    TestChannels channels = new TestChannels(AuthSettings.withSecret(TestTokens.SECRET), AccessPolicy.NONE,
        TenantLimits.DEFAULTS, CLOCK, 1 << 20);
    List<EmbeddedChannel> sockets = new ArrayList<>();
    List<Boolean> joined = new ArrayList<>();
    try {
      for (var member : members) {
        String token = TestTokens.hs256(TestTokens.SECRET, member.get1(), NOW.plusSeconds(3600));
        EmbeddedChannel socket = channels.socket(PhoenixSerializer.V2, token,
            claimsOf(channels, token));
        sockets.add(socket);
        send(socket, "[\"1\",\"1\",\"realtime:" + member.get3() + "\",\"phx_join\",{\"config\":{\"private\":"
            + member.get2() + ",\"broadcast\":{\"self\":true}}}]");
        JsonNode reply = drain(socket).getFirst().get(4);
        boolean ok = "ok".equals(reply.get("status").asText());
        joined.add(ok);
        if (member.get2() && member.get1().equals("anon")) {
          assertThat(ok).as("anon joining a private channel").isFalse();
          assertThat(reply.get("response").get("reason").asText()).startsWith("Unauthorized:");
        }
      }
      for (int from = 0; from < members.size(); from++) {
        if (!joined.get(from)) {
          continue;
        }
        var sender = members.get(from);
        send(sockets.get(from), "[\"1\",\"9\",\"realtime:" + sender.get3() + "\",\"broadcast\",{\"type\":\"broadcast\","
            + "\"event\":\"e\",\"payload\":{\"from\":" + from + "}}]");
        for (int to = 0; to < members.size(); to++) {
          var receiver = members.get(to);
          long got = drain(sockets.get(to)).stream().filter(m -> m.get(3).asText().equals("broadcast")).count();
          boolean shouldGet = joined.get(to) && receiver.get3().equals(sender.get3())
              && receiver.get2().equals(sender.get2());
          assertThat(got).as("member %d %s receiving member %d %s's broadcast", to, receiver, from, sender)
              .isEqualTo(shouldGet ? 1 : 0);
        }
      }
    } finally {
      sockets.forEach(EmbeddedChannel::finishAndReleaseAll);
    }
  }

  // ---- the oracle ----

  /** What the rule promises: the row's ruled column equals the claim, as PostgreSQL compares values of its type. */
  static boolean allows(RuledColumn ruled, Object claim, long id, Row row) {
    // A delete under the default replica identity (kind 3) carries the key, id, and nothing else.
    String value = switch (ruled) {
      case ROOM -> row.kind() == 3 ? null : row.room();
      case SCORE -> row.kind() == 3 ? null : row.score();
      case PINNED -> row.kind() == 3 ? null : row.pinned();
      case ID -> Long.toString(id);
    };
    return value != null && equal(ruled.type, value, claimText(claim));
  }

  /** The claim as text, or null when it can never equal a value (absent, null, object, array). */
  static String claimText(Object claim) {
    return switch (claim) {
      case String text -> text;
      case Boolean bool -> bool.toString();
      case Number number -> {
        BigDecimal decimal = new BigDecimal(number.toString());
        yield decimal.signum() == 0 ? "0" : decimal.stripTrailingZeros().toPlainString();
      }
      default -> null;
    };
  }

  private static boolean equal(PgType type, String value, String claim) {
    if (claim == null) {
      return false;
    }
    if (type == PgType.BOOL) {
      return bool(value).equals(bool(claim));
    }
    if (type == PgType.INT8 || type == PgType.NUMERIC) {
      try {
        return new BigDecimal(value).compareTo(new BigDecimal(claim)) == 0;
      } catch (NumberFormatException e) {
        return value.equals(claim); // NaN = NaN
      }
    }
    return value.equals(claim);
  }

  private static String bool(String text) {
    return switch (text) {
      case "t", "true" -> "true";
      case "f", "false" -> "false";
      default -> "?" + text;
    };
  }

  private static void assertAllowed(List<Long> pushed, Feed feed, RuledColumn ruled, Object claim, String phase) {
    for (long id : pushed) {
      Row row = feed.row((int) id - 1);
      assertThat(allows(ruled, claim, id, row)).as("%s: row %d %s pushed under rule %s", phase, id, row, ruled.column).isTrue();
    }
    assertThat(new TreeSet<>(pushed)).as("%s: no row twice", phase).hasSize(pushed.size());
  }

  private static String describe(Object claim) {
    return claim instanceof String s ? "\"" + s + "\"" : String.valueOf(claim);
  }

  // ---- generators ----

  static final String EVERYTHING = "{\"event\":\"*\",\"schema\":\"public\",\"table\":\"messages\"}";

  @Provide
  Arbitrary<RuledColumn> columns() {
    return Arbitraries.of(RuledColumn.class);
  }

  @Provide
  Arbitrary<String> claimPaths() {
    return Arbitraries.of("tenant", "app_metadata.tenant");
  }

  @Provide
  Arbitrary<Object> claims() {
    return Arbitraries.of(1, 2L, 1.0, 2.5, 0, -0.0, "1", "01", "1.0", "1e0", " 1", "'1'", "\"1\"", "a", "A", "a ",
        "NaN", "t", "true", true, false, "2.5", "", ABSENT, JsonNull.INSTANCE, List.of(1), Map.of("tenant", 1));
  }

  /** A JSON null in the token (distinct from an absent claim). */
  enum JsonNull { INSTANCE }

  @Provide
  Arbitrary<List<String>> bindings() {
    Arbitrary<String> tables = Arbitraries.of("messages", "*");
    Arbitrary<String> events = Arbitraries.of("*", "INSERT", "UPDATE", "DELETE");
    Arbitrary<String> columns = Arbitraries.of("room", "score", "id", "pinned", "body");
    Arbitrary<String> ops = Arbitraries.of("eq", "neq", "in", "lt", "gte");
    Arbitrary<String> values = Arbitraries.of("1", "1.0", "01", "\"1\"", "a", "A", "2.5", "t", "true", "NaN", "0");
    Arbitrary<String> filters = Combinators.combine(columns, ops, values, values).as((column, op, v, w) ->
        column + "=" + op + "." + (op.equals("in") ? "(" + v + "," + w + ")" : v)).injectNull(0.3);
    Arbitrary<String> binding = Combinators.combine(tables, events, filters).as((table, event, filter) ->
        "{\"event\":\"" + event + "\",\"schema\":\"public\",\"table\":\"" + table + "\""
            + (filter == null ? "" : ",\"filter\":\"" + filter.replace("\"", "\\\"") + "\"") + "}");
    return Arbitraries.oneOf(binding, Arbitraries.just(EVERYTHING)).list().ofMinSize(1).ofMaxSize(3);
  }

  @Provide
  Arbitrary<List<Row>> rows() {
    Arbitrary<String> rooms = Arbitraries.of("1", "01", "1.0", "a", "A", "a ", "true", "t", "NaN", "").injectNull(0.1);
    Arbitrary<String> scores = Arbitraries.of("1", "1.0", "1.00", "2.5", "0", "-0", "NaN", "01").injectNull(0.1);
    Arbitrary<String> pinned = Arbitraries.of("t", "f").injectNull(0.1);
    return Combinators.combine(Arbitraries.integers().between(0, 3), rooms, scores, pinned).as(Row::new)
        .list().ofMinSize(1).ofMaxSize(5);
  }

  @Provide
  Arbitrary<List<Tuple.Tuple3<String, Boolean, String>>> members() {
    return Combinators.combine(Arbitraries.of("anon", "authenticated", "service_role"), Arbitraries.of(true, false),
        Arbitraries.of("room1", "room2")).as(Tuple::of).list().ofMinSize(1).ofMaxSize(6);
  }

  // ---- plumbing ----

  /** The rows committed so far, row i with id i + 1 at its own position, through the fan-out (and its ring). */
  private static final class Feed {
    private final TestChannels channels;
    private final List<Row> rows = new ArrayList<>();

    Feed(TestChannels channels) {
      this.channels = channels;
    }

    void commit(List<Row> batch, RuledColumn ruled) {
      for (Row row : batch) {
        rows.add(row);
        long id = rows.size();
        long lsn = 0x1000L * id;
        EventPosition position = ChangeFixtures.position(lsn, 0);
        var full = ChangeFixtures.message(Long.toString(id), row.room(), "body " + id, row.score(), row.pinned());
        RowChange change = switch (row.kind()) {
          case 0 -> ChangeFixtures.insert(position, ChangeFixtures.MESSAGES, full);
          case 1 -> ChangeFixtures.update(position, ChangeFixtures.MESSAGES, full, null);
          case 2 -> ChangeFixtures.delete(position, ChangeFixtures.MESSAGES, full);
          default -> ChangeFixtures.delete(position, ChangeFixtures.MESSAGES,
              ChangeFixtures.message(Long.toString(id), null, null, null, null));
        };
        channels.fanOut.accept(change);
        channels.fanOut.committed(lsn);
      }
    }

    int size() {
      return rows.size();
    }

    Row row(int index) {
      return rows.get(index);
    }

    /** The ids of the rows committed so far that the rule lets {@code claim} see. */
    List<Long> allowedIds(RuledColumn ruled, Object claim) {
      List<Long> ids = new ArrayList<>();
      for (int i = 0; i < rows.size(); i++) {
        if (allows(ruled, claim, i + 1, rows.get(i))) {
          ids.add((long) i + 1);
        }
      }
      return ids;
    }

    EventPosition lastPosition() {
      return ChangeFixtures.position(0x1000L * rows.size(), 0);
    }
  }

  static String token(String path, Object claim) {
    Map<String, Object> claims = new LinkedHashMap<>(TestTokens.claims("authenticated", NOW.plusSeconds(3600)));
    if (claim != ABSENT) {
      Object value = claim == JsonNull.INSTANCE ? null : claim;
      if (path.contains(".")) {
        Map<String, Object> nested = new HashMap<>();
        nested.put("tenant", value);
        claims.put("app_metadata", nested);
      } else {
        claims.put(path, value);
      }
    }
    return TestTokens.hs256(TestTokens.SECRET, claims);
  }

  /** The socket's claims as the upgrade would verify them; null (joins re-verify and refuse) if refused. */
  static dev.slipstream.runtime.auth.Claims claimsOf(TestChannels channels, String token) {
    try {
      return channels.context.verifier().verify(token);
    } catch (Exception e) {
      return null;
    }
  }

  private static String join(String ref, String config) {
    return "[\"" + ref + "\",\"" + ref + "\",\"" + TOPIC + "\",\"phx_join\",{\"config\":" + config + "}]";
  }

  static void send(EmbeddedChannel socket, String text) {
    socket.writeInbound(new TextWebSocketFrame(text));
  }

  /** The ids of the postgres_changes pushes among the messages. */
  private static List<Long> pushedIds(List<JsonNode> messages) {
    List<Long> ids = new ArrayList<>();
    for (JsonNode message : messages) {
      if (message.get(3).asText().equals("postgres_changes")) {
        JsonNode data = message.get(4).get("data");
        JsonNode record = data.get("record") != null && !data.get("record").isEmpty() ? data.get("record")
            : data.get("old_record");
        ids.add(record.get("id").asLong());
      }
    }
    return ids;
  }

  static List<JsonNode> drain(EmbeddedChannel socket) {
    socket.runPendingTasks();
    List<JsonNode> messages = new ArrayList<>();
    Object message;
    while ((message = socket.readOutbound()) != null) {
      try {
        String text = message instanceof TextWebSocketFrame frame ? frame.text() : textOf((ByteBuf) message);
        messages.add(JSON.readTree(text));
      } catch (Exception e) {
        throw new AssertionError(e);
      } finally {
        ReferenceCountUtil.release(message);
      }
    }
    return messages;
  }

  /** A pre-framed text frame (opcode 0x81) as the fan-out writes it. */
  private static String textOf(ByteBuf frame) {
    int opcode = frame.readUnsignedByte();
    int length = frame.readUnsignedByte() & 0x7f;
    if (length == 126) {
      frame.readUnsignedShort();
    } else if (length == 127) {
      frame.readLong();
    }
    assertThat(opcode).isEqualTo(0x81);
    return frame.toString(StandardCharsets.UTF_8);
  }
}
