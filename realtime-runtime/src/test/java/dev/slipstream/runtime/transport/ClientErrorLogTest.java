package dev.slipstream.runtime.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.DecoderException;
import org.junit.jupiter.api.Test;

/** What a client's bytes make the server log: one line, no token, no query string. */
class ClientErrorLogTest {

  private static final String TOKEN = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoiYW5vbiJ9.c2lnbmF0dXJl";

  @Test
  void tokensAndQueryStringsAreRemoved() {
    IllegalArgumentException thrown = new IllegalArgumentException(
        "invalid escape sequence `%zz' at index 60 of: /realtime/v1/sse?table=orders&apikey=" + TOKEN + "&filter=%zz");

    String line = ClientErrorLog.describe(new DecoderException(thrown));

    assertThat(line).isEqualTo("IllegalArgumentException: invalid escape sequence `%zz' at index 60 of: "
        + "/realtime/v1/sse?<query>");
    assertThat(ClientErrorLog.redact("bad token " + TOKEN + " here")).isEqualTo("bad token <token> here");
  }

  @Test
  void longMessagesAreCutAndNewlinesFlattened() {
    String line = ClientErrorLog.redact("x".repeat(500) + "\nsecond line");

    assertThat(line).hasSize(203).doesNotContain("\n");
  }
}
