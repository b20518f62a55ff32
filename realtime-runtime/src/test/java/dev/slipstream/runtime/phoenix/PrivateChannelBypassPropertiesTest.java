package dev.slipstream.runtime.phoenix;

import static dev.slipstream.runtime.phoenix.ClaimBypassPropertiesTest.ABSENT;
import static dev.slipstream.runtime.phoenix.ClaimBypassPropertiesTest.claimText;
import static dev.slipstream.runtime.phoenix.ClaimBypassPropertiesTest.claimsOf;
import static dev.slipstream.runtime.phoenix.ClaimBypassPropertiesTest.drain;
import static dev.slipstream.runtime.phoenix.ClaimBypassPropertiesTest.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipstream.runtime.auth.AuthSettings;
import dev.slipstream.runtime.auth.ChannelRules;
import dev.slipstream.runtime.auth.TestTokens;
import dev.slipstream.runtime.limits.TenantLimits;
import dev.slipstream.runtime.phoenix.ClaimBypassPropertiesTest.JsonNull;
import dev.slipstream.runtime.route.AccessPolicy;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Private channels gated by claim ({@code SLIPSTREAM_CHANNEL_RULES}) cannot be bypassed through broadcast or
 * presence: for generated rules ({@code topicPrefix=claim}, zero to two, claims at the top level or nested), members
 * (role, claim value of any JSON type or none, topic under a rule or not, private or public) and refreshed claims, no
 * broadcast (from a client, from the database, from another pod through the relay) and no presence state or diff
 * reaches a channel whose claim the rules do not admit; a refresh to a refused claim or to the anon role ends the
 * channel. The oracle
 * ({@link #admitted}) reads the rule on its own, without {@code ChannelRules}. The whole path runs: the real
 * {@link PhoenixSocketHandler}s, joins parsed from text, the topics and their presence.
 *
 * <p>A follower is covered by the same code: the relay hands broadcasts and presence from other pods to
 * {@link Topics#broadcastFromPeer} and {@link Topics#deliverPresence}, which reach only the channels joined to the
 * topic on that pod, each gated at its own join; both entries are driven here.
 */
class PrivateChannelBypassPropertiesTest {

  private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  /**
   * A client: its token's role and claim (at {@code org_id} and {@code app_metadata.org_id}), the role and claim of
   * the token it refreshes to, its channel.
   */
  record Member(String role, Object claim, String refreshedRole, Object refreshed, String topic,
      boolean privateChannel) {

    Member afterRefresh() {
      return new Member(refreshedRole, refreshed, refreshedRole, refreshed, topic, privateChannel);
    }

    String room() {
      return (privateChannel ? "private|" : "public|") + topic;
    }
  }

  @Property(tries = 300)
  void broadcastAndPresenceReachOnlyChannelsTheRulesAdmit(@ForAll("rules") List<String> rules,
      @ForAll("members") List<Member> members) {
    TestChannels channels = new TestChannels(AuthSettings.withSecret(TestTokens.SECRET), AccessPolicy.NONE,
        ChannelRules.parse(String.join(",", rules)), TenantLimits.DEFAULTS, CLOCK, 1 << 20);
    List<EmbeddedChannel> sockets = new ArrayList<>();
    boolean[] joined = new boolean[members.size()];
    try {
      for (int i = 0; i < members.size(); i++) {
        Member member = members.get(i);
        String token = token(member.role(), member.claim());
        EmbeddedChannel socket = channels.socket(PhoenixSerializer.V2, token, claimsOf(channels, token));
        sockets.add(socket);
        send(socket, "[\"1\",\"1\",\"realtime:" + member.topic() + "\",\"phx_join\",{\"config\":{\"private\":"
            + member.privateChannel() + ",\"presence\":{\"key\":\"m" + i + "\",\"enabled\":true}}}]");
        JsonNode reply = drain(socket).getFirst().get(4);
        joined[i] = "ok".equals(reply.get("status").asText());
        boolean expected = admitted(rules, member, member.claim());
        assertThat(joined[i]).as("member %d %s joining under rules %s", i, member, rules).isEqualTo(expected);
        if (!joined[i]) {
          assertThat(reply.get("response").get("reason").asText()).startsWith(
              "Unauthorized: You do not have permissions to read from this Channel topic: " + member.topic());
        }
      }
      sockets.forEach(ClaimBypassPropertiesTest::drain);

      for (int from = 0; from < members.size(); from++) {
        if (!joined[from]) {
          continue;
        }
        String topic = "realtime:" + members.get(from).topic();
        send(sockets.get(from), "[\"1\",\"7\",\"" + topic + "\",\"presence\",{\"type\":\"presence\",\"event\":\"track\","
            + "\"payload\":{\"from\":" + from + "}}]");
        send(sockets.get(from), "[\"1\",\"8\",\"" + topic + "\",\"broadcast\",{\"type\":\"broadcast\",\"event\":\"e\","
            + "\"payload\":{\"from\":" + from + "}}]");
        assertOnlyRoommatesHear(members, joined, sockets, from);
      }

      // From the database and from the tenant's other pods (the relay), to every room.
      assertOnlyMembersReceiveOutsideMessages(channels, members, joined, sockets, "before refresh");

      for (int i = 0; i < members.size(); i++) {
        Member member = members.get(i);
        if (!joined[i] || !member.privateChannel()) {
          continue;
        }
        send(sockets.get(i), "[\"1\",\"9\",\"realtime:" + member.topic() + "\",\"access_token\",{\"access_token\":\""
            + token(member.refreshedRole(), member.refreshed()) + "\"}]");
        List<JsonNode> answer = drain(sockets.get(i));
        boolean stays = admitted(rules, member.afterRefresh(), member.refreshed());
        if (!stays) {
          joined[i] = false;
          assertThat(answer).as("member %d %s refreshed under %s", i, member, rules)
              .anySatisfy(m -> assertThat(m.get(3).asText()).isEqualTo("phx_close"));
          assertThat(answer).anySatisfy(m -> {
            assertThat(m.get(3).asText()).isEqualTo("system");
            assertThat(m.get(4).get("message").asText()).startsWith("Unauthorized:");
          });
        }
      }
      sockets.forEach(ClaimBypassPropertiesTest::drain);
      assertOnlyMembersReceiveOutsideMessages(channels, members, joined, sockets, "after refresh");
    } finally {
      sockets.forEach(EmbeddedChannel::finishAndReleaseAll);
    }
  }

  /** After member {@code from} tracked and broadcast: who heard of it. */
  private static void assertOnlyRoommatesHear(List<Member> members, boolean[] joined, List<EmbeddedChannel> sockets,
      int from) {
    for (int to = 0; to < members.size(); to++) {
      Set<Integer> heard = new TreeSet<>();
      int broadcasts = 0;
      for (JsonNode message : drain(sockets.get(to))) {
        heard.addAll(senders(message));
        if (message.get(3).asText().equals("broadcast")) {
          broadcasts++;
        }
      }
      boolean roommate = joined[to] && members.get(to).room().equals(members.get(from).room());
      assertThat(heard).as("member %d %s hearing of member %d %s", to, members.get(to), from, members.get(from))
          .isEqualTo(roommate ? Set.of(from) : Set.of());
      assertThat(broadcasts).as("member %d receiving member %d's broadcast", to, from)
          .isEqualTo(roommate && to != from ? 1 : 0);
    }
  }

  /** A database broadcast and a relayed broadcast and presence diff to every room: only its members get them. */
  private static void assertOnlyMembersReceiveOutsideMessages(TestChannels channels, List<Member> members,
      boolean[] joined, List<EmbeddedChannel> sockets, String phase) {
    Set<String> rooms = new TreeSet<>();
    members.forEach(member -> rooms.add(member.room()));
    for (String room : rooms) {
      boolean privateChannel = room.startsWith("private|");
      String topic = "realtime:" + room.substring(room.indexOf('|') + 1);
      byte[] payload = ("{\"room\":\"" + room + "\"}").getBytes(StandardCharsets.UTF_8);
      int fromDatabase = channels.topics.broadcastFromDatabase(topic, privateChannel, "db", payload);
      int fromPeer = channels.topics.broadcastFromPeer(topic, privateChannel, "peer", payload, true, false);
      ObjectNode joins = JsonNodeFactory.instance.objectNode();
      joins.putObject("elsewhere").putArray("metas").addObject().put("room", room).put("phx_ref", "x");
      channels.topics.deliverPresence(Topics.key(topic, privateChannel), joins, JsonNodeFactory.instance.objectNode());
      int expected = 0;
      for (int i = 0; i < members.size(); i++) {
        boolean member = joined[i] && members.get(i).room().equals(room);
        expected += member ? 1 : 0;
        List<String> got = new ArrayList<>();
        for (JsonNode message : drain(sockets.get(i))) {
          JsonNode body = message.get(4);
          JsonNode mark = message.get(3).asText().equals("broadcast") ? body.path("payload").path("room")
              : body.path("joins").path("elsewhere").path("metas").path(0).path("room");
          got.add(message.get(3).asText() + " " + mark.asText());
        }
        assertThat(got).as("%s: member %d %s, messages to room %s", phase, i, members.get(i), room)
            .containsExactlyInAnyOrderElementsOf(member
                ? List.of("broadcast " + room, "broadcast " + room, "presence_diff " + room) : List.of());
      }
      assertThat(fromDatabase).as("%s: channels a database broadcast to %s reached", phase, room).isEqualTo(expected);
      assertThat(fromPeer).as("%s: channels a relayed broadcast to %s reached", phase, room).isEqualTo(expected);
    }
  }

  /** The members a message tells of: a broadcast's sender, presence's keys {@code m<i>}. */
  private static Set<Integer> senders(JsonNode message) {
    Set<Integer> senders = new TreeSet<>();
    JsonNode body = message.get(4);
    switch (message.get(3).asText()) {
      case "broadcast" -> senders.add(body.path("payload").path("from").asInt());
      case "presence_diff" -> {
        body.path("joins").fieldNames().forEachRemaining(key -> senders.add(Integer.parseInt(key.substring(1))));
        body.path("leaves").fieldNames().forEachRemaining(key -> senders.add(Integer.parseInt(key.substring(1))));
      }
      case "presence_state" -> body.fieldNames().forEachRemaining(key -> senders.add(Integer.parseInt(key.substring(1))));
      default -> { }
    }
    return senders;
  }

  // ---- the oracle ----

  /** What the rules promise, read without {@code ChannelRules}. */
  static boolean admitted(List<String> rules, Member member, Object claim) {
    if (!member.privateChannel()) {
      return true;
    }
    if (member.role().equals("anon")) {
      return false;
    }
    String text = claimText(claim);
    for (String rule : rules) {
      String prefix = rule.substring(0, rule.indexOf('='));
      if (member.topic().startsWith(prefix)) {
        String rest = member.topic().substring(prefix.length());
        String segment = rest.contains(":") ? rest.substring(0, rest.indexOf(':')) : rest;
        if (segment.isEmpty() || !segment.equals(text)) {
          return false;
        }
      }
    }
    return true;
  }

  // ---- generators ----

  @Provide
  Arbitrary<List<String>> rules() {
    return Arbitraries.of("org:=org_id", "org:=app_metadata.org_id", "team-=org_id", "o=org_id", "org:1:=org_id")
        .list().ofMinSize(0).ofMaxSize(2);
  }

  @Provide
  Arbitrary<List<Member>> members() {
    Arbitrary<Object> claims = Arbitraries.of("1", "2", 1, 2L, 1.0, "01", "", "x", true, "true", ABSENT,
        JsonNull.INSTANCE, List.of(1), Map.of("org_id", 1));
    Arbitrary<String> topics = Arbitraries.of("org:1", "org:2", "org:1:chat", "org:1:2", "org:", "org:01", "team-1",
        "team-x:1", "room1", "o1", "organisation:1", "org:true");
    Arbitrary<String> roles = Arbitraries.of("authenticated", "authenticated", "service_role", "anon");
    return Combinators.combine(roles, claims, roles, claims, topics, Arbitraries.of(true, true, false)).as(Member::new)
        .list().ofMinSize(1).ofMaxSize(6);
  }

  // ---- plumbing ----

  /** A token of {@code role} holding {@code claim} at {@code org_id} and at {@code app_metadata.org_id}. */
  private static String token(String role, Object claim) {
    Map<String, Object> claims = new LinkedHashMap<>(TestTokens.claims(role, NOW.plusSeconds(3600)));
    if (claim != ABSENT) {
      Object value = claim == JsonNull.INSTANCE ? null : claim;
      Map<String, Object> nested = new HashMap<>();
      nested.put("org_id", value);
      claims.put("app_metadata", nested);
      claims.put("org_id", value);
    }
    return TestTokens.hs256(TestTokens.SECRET, claims);
  }
}
