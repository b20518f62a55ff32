package dev.slipstream.runtime.auth;

/**
 * Why a token was refused, with the wording Supabase Realtime uses for it.
 *
 * <p>Supabase words a refusal differently depending on where it happens, and
 * {@code @supabase/realtime-js} shows whichever it receives:
 * <ul>
 *   <li>at the WebSocket upgrade ({@code lib/realtime_web/channels/user_socket.ex},
 *       {@code error_response/1}): HTTP 401 with the JSON body {@code {"error": handshakeMessage}};
 *   <li>in a {@code phx_join} error reply ({@code lib/realtime_web/channels/realtime_channel.ex},
 *       through {@code RealtimeChannel.Logging.log_error/3}): {@code "<code>: <message>"};
 *   <li>when a refreshed {@code access_token} is refused ({@code realtime_channel.ex},
 *       {@code shutdown_response/2}): a {@code system} message carrying the plain message.
 * </ul>
 * The messages are copied verbatim from supabase/realtime at commit
 * {@code 833cf36c3a3603fff5ae5a8a0ce473a21d5fedd4} (August 2026); {@link #NOT_YET_VALID} is ours,
 * Supabase does not check {@code nbf}.
 */
public enum Rejection {

  /** No token at all. {@code user_socket.ex}: {@code {:error, :missing_api_key}}. */
  MISSING_TOKEN("MissingAPIKey", "API key is missing"),

  /**
   * Not a compact JWS whose header and payload are JSON objects ({@code Joken.peek_claims} fails);
   * also used for registered claims of the wrong JSON type ({@code iat}, {@code nbf}), which
   * Supabase reports as an unknown error.
   */
  MALFORMED("MalformedJWT", "The token provided is not a valid JWT"),

  /**
   * No key for the token's {@code alg} (and {@code kid}): {@code alg: none}, an algorithm outside
   * HS/RS/ES/EdDSA, an HS token when no secret is configured, an RS/ES/EdDSA token without a
   * {@code kid} or whose {@code kid} is not in the JWKS. {@code jwt_verification.ex},
   * {@code generate_signer/3}. When the token names a {@code kid}, the message names it too:
   * {@code Failed to generate JWT signer for key ID (kid) "<kid>", check your JWT secret or JWKS
   * configuration}, as in {@code user_socket.ex}.
   */
  NO_SIGNER("JwtSignerError", "Failed to generate JWT signer, check your JWT secret or JWKS configuration"),

  /** The signature does not verify with the selected key: Joken's {@code :signature_error}. */
  BAD_SIGNATURE("JwtSignatureError", "Failed to validate JWT signature"),

  /**
   * {@code exp} is not after now. {@code channels_authorization.ex}, {@code authorize_conn/3}:
   * {@code "Token has expired #{validation_timer - claim_val} seconds ago"}; the upgrade response
   * says only {@code "Token has expired"}.
   */
  EXPIRED("InvalidJWTToken", "Token has expired"),

  /** {@code role} or {@code exp} absent (or, here, of the wrong type). {@code user_socket.ex}. */
  MISSING_CLAIMS("InvalidJWTToken", "Fields `role` and `exp` are required in JWT"),

  /** {@code nbf} is after now. Slipstream's own check and wording. */
  NOT_YET_VALID("InvalidJWTToken", "Token is not valid yet"),

  /** {@code iss} is not the configured issuer ({@code SLIPSTREAM_JWT_ISSUER}). Slipstream's own check. */
  WRONG_ISSUER("InvalidJWTToken", "Token issuer is not accepted"),

  /** {@code aud} does not name the configured audience ({@code SLIPSTREAM_JWT_AUDIENCE}). Slipstream's own check. */
  WRONG_AUDIENCE("InvalidJWTToken", "Token audience is not accepted");

  private final String code;
  private final String handshakeMessage;

  Rejection(String code, String handshakeMessage) {
    this.code = code;
    this.handshakeMessage = handshakeMessage;
  }

  /** Supabase's error code, the prefix of a join error's {@code reason} and its log code. */
  public String code() {
    return code;
  }

  /** The text of the WebSocket upgrade's 401 body, {@code {"error": ...}}. */
  public String handshakeMessage() {
    return handshakeMessage;
  }

  /** HTTP status of a refused WebSocket upgrade: Supabase answers 401 for every token problem. */
  public int handshakeStatus() {
    return 401;
  }
}
