package dev.slipstream.runtime.auth;

import java.util.Objects;

/**
 * A token was refused. {@link #getMessage()} is the plain, client-facing reason exactly as Supabase
 * Realtime words it (for example {@code "Token has expired 12 seconds ago"}); {@link #joinReason()}
 * and {@link #handshakeMessage()} give the other two forms Supabase uses (see {@link Rejection}).
 *
 * <p>No message ever contains the token or a key. The exception carries no stack trace: a refusal is
 * an expected answer to untrusted input, it is raised on the event loop, and a client sending
 * garbage in a loop should not cost a stack walk per attempt.
 */
public final class TokenRejectedException extends Exception {

  private static final long serialVersionUID = 1L;

  private final Rejection reason;

  TokenRejectedException(Rejection reason, String message) {
    super(message, null, false, false);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  TokenRejectedException(Rejection reason) {
    this(reason, reason.handshakeMessage());
  }

  /**
   * {@code "Token has expired N seconds ago"}, N being whole seconds since {@code exp}
   * ({@code channels_authorization.ex}).
   */
  static TokenRejectedException expired(long secondsAgo) {
    return new TokenRejectedException(Rejection.EXPIRED, "Token has expired " + secondsAgo + " seconds ago");
  }

  /**
   * Supabase's {@code {:error_generating_signer, kid}} message, the {@code kid} shown as Elixir's
   * {@code inspect/1} shows a printable string: in double quotes, quotes and backslashes escaped.
   */
  static TokenRejectedException signerMissing(String kid) {
    return new TokenRejectedException(Rejection.NO_SIGNER, "Failed to generate JWT signer for key ID (kid) "
        + elixirInspect(kid) + ", check your JWT secret or JWKS configuration");
  }

  /** {@code "Token is not valid yet, it becomes valid in N seconds"} (Slipstream's own wording). */
  static TokenRejectedException notYetValid(long secondsAhead) {
    return new TokenRejectedException(Rejection.NOT_YET_VALID,
        "Token is not valid yet, it becomes valid in " + secondsAhead + " seconds");
  }

  /** What went wrong, to pick a code, a status or a log level. */
  public Rejection reason() {
    return reason;
  }

  /**
   * The {@code reason} of a {@code phx_join} error reply, {@code "<code>: <message>"}, for example
   * {@code "InvalidJWTToken: Token has expired 12 seconds ago"} ({@code RealtimeChannel.Logging}).
   */
  public String joinReason() {
    return reason.code() + ": " + getMessage();
  }

  /**
   * The {@code error} text of the 401 JSON body refusing a WebSocket upgrade. It is shorter than
   * {@link #getMessage()} for an expired token ({@code "Token has expired"}, no seconds), as in
   * {@code user_socket.ex}; for a missing {@code kid} it is the full message.
   */
  public String handshakeMessage() {
    return reason == Rejection.NO_SIGNER ? getMessage() : reason.handshakeMessage();
  }

  /** HTTP status refusing a WebSocket upgrade (401). */
  public int handshakeStatus() {
    return reason.handshakeStatus();
  }

  private static String elixirInspect(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2).append('"');
    text.codePoints().forEach(c -> {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            out.append(String.format("\\x%02X", c));
          } else {
            out.appendCodePoint(c);
          }
        }
      }
    });
    return out.append('"').toString();
  }
}
