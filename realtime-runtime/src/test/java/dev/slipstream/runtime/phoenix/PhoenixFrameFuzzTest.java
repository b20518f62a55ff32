package dev.slipstream.runtime.phoenix;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.slipstream.runtime.fuzz.FuzzCases;
import dev.slipstream.runtime.fuzz.FuzzCheck;
import dev.slipstream.runtime.limits.TenantLimits;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import org.junit.jupiter.api.Test;

/**
 * Coverage-guided fuzzing of what a Phoenix client sends: text frames in serializer 1.0.0
 * (objects) and 2.0.0 (arrays), through {@link PhoenixSerializer#decode} and, for whatever
 * decodes, the join payload ({@link JoinConfig#parse}, row filters included); and 2.0.0's binary
 * user-broadcast frames ({@link UserBroadcastCodec#decodePush}). Bad input must fail with
 * {@link IllegalArgumentException} (the socket handler ignores the frame or replies with the
 * reason), within a small time and allocation budget; a decoded message must encode and decode
 * back to itself (numbers by value: a number never comes back as text). The long runs are
 * {@code bin/fuzz phoenix-v1|phoenix-v2|phoenix-binary}.
 */
class PhoenixFrameFuzzTest {

  /** Leaves equal by value: a number stays a number of the same value (1.5e1 may come back as 15), text stays text. */
  private static final Comparator<JsonNode> SAME_VALUE = (a, b) -> {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue());
    }
    return a.equals(b) ? 0 : 1;
  };

  @FuzzTest
  void textV1(byte[] input) {
    FuzzCheck.withinBudget(input, () -> text(PhoenixSerializer.V1, input));
  }

  @FuzzTest
  void textV2(byte[] input) {
    FuzzCheck.withinBudget(input, () -> text(PhoenixSerializer.V2, input));
  }

  @FuzzTest
  void binaryPush(byte[] input) {
    FuzzCheck.withinBudget(input, () -> binary(input));
  }

  @Test
  void briefRunV1() {
    assertThat(FuzzCases.run(getClass(), "textV1", FuzzCases.BRIEF_CASES, this::textV1))
        .isGreaterThanOrEqualTo(FuzzCases.BRIEF_CASES);
  }

  @Test
  void briefRunV2() {
    assertThat(FuzzCases.run(getClass(), "textV2", FuzzCases.BRIEF_CASES, this::textV2))
        .isGreaterThanOrEqualTo(FuzzCases.BRIEF_CASES);
  }

  @Test
  void briefRunBinary() {
    assertThat(FuzzCases.run(getClass(), "binaryPush", FuzzCases.BRIEF_CASES, this::binaryPush))
        .isGreaterThanOrEqualTo(FuzzCases.BRIEF_CASES);
  }

  static void text(PhoenixSerializer serializer, byte[] input) {
    PhoenixMessage message;
    try {
      message = serializer.decode(new String(input, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException refused) {
      assertThat(refused.getMessage()).isNotBlank();
      return;
    }
    PhoenixMessage again = serializer.decode(new String(serializer.encode(message), StandardCharsets.UTF_8));
    assertThat(again).as("decode(encode(message))")
        .usingRecursiveComparison().ignoringFields("payload").isEqualTo(message);
    assertThat(again.payload().equals(SAME_VALUE, message.payload()))
        .as("decode(encode(message)) payload %s, was %s", again.payload(), message.payload()).isTrue();
    try {
      JoinConfig.parse(message.payload(), TenantLimits.DEFAULTS);
    } catch (IllegalArgumentException refused) {
      assertThat(refused.getMessage()).isNotBlank();
    }
  }

  static void binary(byte[] input) {
    try {
      UserBroadcastCodec.UserBroadcastPush push = UserBroadcastCodec.decodePush(Unpooled.wrappedBuffer(input));
      assertThat(push.payload().length).isLessThanOrEqualTo(input.length);
      assertThat(push.topic()).isNotNull();
    } catch (IllegalArgumentException refused) {
      assertThat(refused.getMessage()).isNotBlank();
    }
  }
}
