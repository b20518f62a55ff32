package dev.slipstream.runtime.auth;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the runtime authenticates clients, read once at startup.
 *
 * @param jwtSecret the tenant's JWT secret for HS256/HS384/HS512 tokens, or {@code null}. Its
 *     UTF-8 bytes are the HMAC key, as Supabase Realtime and PostgREST use it (no base64 decoding)
 * @param jwks public keys for RS/ES/EdDSA tokens (and {@code oct} keys for HS tokens with a
 *     {@code kid}), or {@code null}; parsed at startup so a bad set stops the runtime there
 * @param required whether clients must present a valid token; when {@code false} (dev mode) every
 *     connection gets {@link Claims#anonymous()}
 * @param issuer when not {@code null}, a token's {@code iss} must equal it
 * @param audience when not {@code null}, a token's {@code aud} must be it or a list holding it
 * @param previousJwtSecret the JWT secret before the last rotation, or {@code null}: tokens signed with it are
 *     accepted too, so that clients holding them keep working while new ones are issued (needs {@code jwtSecret})
 */
public record AuthSettings(String jwtSecret, JWKSet jwks, boolean required, String issuer, String audience,
    String previousJwtSecret) {

  public static final String SECRET_VARIABLE = "SLIPSTREAM_JWT_SECRET";
  public static final String PREVIOUS_SECRET_VARIABLE = "SLIPSTREAM_JWT_PREVIOUS_SECRET";
  public static final String JWKS_VARIABLE = "SLIPSTREAM_JWKS";
  public static final String JWKS_FILE_VARIABLE = "SLIPSTREAM_JWKS_FILE";
  public static final String MODE_VARIABLE = "SLIPSTREAM_AUTH";
  public static final String ISSUER_VARIABLE = "SLIPSTREAM_JWT_ISSUER";
  public static final String AUDIENCE_VARIABLE = "SLIPSTREAM_JWT_AUDIENCE";

  private static final Logger log = LoggerFactory.getLogger(AuthSettings.class);

  /** Validates; throws {@link IllegalArgumentException} for settings that could never accept a token. */
  public AuthSettings {
    if (jwtSecret != null && jwtSecret.isEmpty()) {
      throw new IllegalArgumentException("the JWT secret must not be empty");
    }
    if (previousJwtSecret != null && (previousJwtSecret.isEmpty() || jwtSecret == null)) {
      throw new IllegalArgumentException(PREVIOUS_SECRET_VARIABLE + " is only accepted beside a non-empty "
          + SECRET_VARIABLE + " (the previous secret of a rotation, accepted next to the current one)");
    }
    if (required && jwtSecret == null && jwks == null) {
      throw new IllegalArgumentException("authentication is required but neither " + SECRET_VARIABLE + " nor "
          + JWKS_VARIABLE + " / " + JWKS_FILE_VARIABLE + " is set; set one, or " + MODE_VARIABLE
          + "=disabled for an unauthenticated development setup");
    }
  }

  /** Without issuer or audience requirements, and without a previous secret. */
  public AuthSettings(String jwtSecret, JWKSet jwks, boolean required) {
    this(jwtSecret, jwks, required, null, null, null);
  }

  /** Without a previous secret. */
  public AuthSettings(String jwtSecret, JWKSet jwks, boolean required, String issuer, String audience) {
    this(jwtSecret, jwks, required, issuer, audience, null);
  }

  /** These settings, also requiring tokens of this issuer and audience (either may be {@code null}). */
  public AuthSettings requiring(String requiredIssuer, String requiredAudience) {
    return new AuthSettings(jwtSecret, jwks, required, requiredIssuer, requiredAudience, previousJwtSecret);
  }

  /** These settings, also accepting tokens signed with the secret before the last rotation. */
  public AuthSettings alsoAccepting(String previousSecret) {
    return new AuthSettings(jwtSecret, jwks, required, issuer, audience, previousSecret);
  }

  /** Tokens signed with this HS256/384/512 secret are required. */
  public static AuthSettings withSecret(String jwtSecret) {
    return new AuthSettings(jwtSecret, null, true);
  }

  /** Tokens signed with a key of this JWKS (JSON text) are required; see {@link #parseJwks}. */
  public static AuthSettings withJwks(String jwksJson) {
    return new AuthSettings(null, parseJwks(jwksJson, "the JWKS"), true);
  }

  /** No authentication: every connection is {@link Claims#anonymous()}. */
  public static AuthSettings disabled() {
    return new AuthSettings(null, null, false);
  }

  /**
   * Reads {@code SLIPSTREAM_JWT_SECRET} (and {@code SLIPSTREAM_JWT_PREVIOUS_SECRET}), {@code SLIPSTREAM_JWKS} (JSON
   * text) or
   * {@code SLIPSTREAM_JWKS_FILE} (path of a JSON file, read now), and {@code SLIPSTREAM_AUTH}
   * ({@code required} or {@code disabled}). Without {@code SLIPSTREAM_AUTH}, authentication is
   * required exactly when a secret or a JWKS is configured. Throws
   * {@link IllegalArgumentException} naming the variable at fault; never prints the secret.
   */
  public static AuthSettings fromEnvironment(Map<String, String> env) {
    String secret = nonBlank(env.get(SECRET_VARIABLE));
    String jwksText = nonBlank(env.get(JWKS_VARIABLE));
    String jwksFile = nonBlank(env.get(JWKS_FILE_VARIABLE));
    if (jwksText != null && jwksFile != null) {
      throw new IllegalArgumentException("set only one of " + JWKS_VARIABLE + " and " + JWKS_FILE_VARIABLE);
    }
    JWKSet jwks = jwksText != null ? parseJwks(jwksText, JWKS_VARIABLE)
        : jwksFile != null ? parseJwks(readFile(jwksFile), JWKS_FILE_VARIABLE + " (" + jwksFile + ")")
        : null;
    boolean configured = secret != null || jwks != null;
    String mode = nonBlank(env.get(MODE_VARIABLE));
    boolean required = switch (mode == null ? "" : mode.trim().toLowerCase(Locale.ROOT)) {
      case "" -> configured;
      case "required" -> true;
      case "disabled" -> false;
      default -> throw new IllegalArgumentException(MODE_VARIABLE + " must be 'required' or 'disabled', was '"
          + mode + "'");
    };
    if (!required && configured) {
      log.warn("{}=disabled: the configured JWT secret / JWKS is ignored and every client is anonymous",
          MODE_VARIABLE);
    }
    return new AuthSettings(secret, jwks, required, nonBlank(env.get(ISSUER_VARIABLE)),
        nonBlank(env.get(AUDIENCE_VARIABLE)), nonBlank(env.get(PREVIOUS_SECRET_VARIABLE)));
  }

  /**
   * Parses a JWK Set ({@code {"keys": [...]}}) and checks that at least one key can verify tokens:
   * it has a {@code kid} and is RSA, EC (P-256, P-384, P-521), OKP (Ed25519, Ed448) or {@code oct}.
   * Keys that cannot are logged (by {@code kid} and type only) and ignored. {@code source} names
   * where the text came from, for the error message.
   */
  public static JWKSet parseJwks(String json, String source) {
    JWKSet jwks;
    try {
      jwks = JWKSet.parse(json);
    } catch (ParseException | RuntimeException e) {
      throw new IllegalArgumentException(source + " is not a valid JWK Set ({\"keys\": [...]}): " + e.getMessage());
    }
    List<String> unusable = new ArrayList<>();
    for (JWK key : jwks.getKeys()) {
      String why = VerificationKeys.unusableBecause(key);
      if (why != null) {
        unusable.add("key " + (key.getKeyID() == null ? "#" + jwks.getKeys().indexOf(key) : "'" + key.getKeyID()
            + "'") + " (" + key.getKeyType() + "): " + why);
      }
    }
    if (unusable.size() == jwks.getKeys().size()) {
      throw new IllegalArgumentException(source + " has no key that can verify tokens"
          + (unusable.isEmpty() ? " (its \"keys\" array is empty)" : ": " + String.join("; ", unusable)));
    }
    unusable.forEach(why -> log.warn("{}: ignoring {}", source, why));
    return jwks;
  }

  /** The HMAC key: the secret's UTF-8 bytes. */
  byte[] jwtSecretBytes() {
    return jwtSecret.getBytes(StandardCharsets.UTF_8);
  }

  /** The previous secret's HMAC key, or {@code null}. */
  byte[] previousJwtSecretBytes() {
    return previousJwtSecret == null ? null : previousJwtSecret.getBytes(StandardCharsets.UTF_8);
  }

  /** Never prints the secret. */
  @Override
  public String toString() {
    return "AuthSettings[jwtSecret=" + (jwtSecret == null ? "none" : "<redacted>") + ", jwks="
        + (jwks == null ? "none" : jwks.getKeys().size() + " keys") + ", required=" + required
        + (issuer == null ? "" : ", issuer=" + issuer) + (audience == null ? "" : ", audience=" + audience)
        + (previousJwtSecret == null ? "" : ", previousJwtSecret=<redacted>") + "]";
  }

  private static String readFile(String file) {
    try {
      return Files.readString(Path.of(file), StandardCharsets.UTF_8);
    } catch (IOException | InvalidPathException e) {
      throw new IllegalArgumentException(JWKS_FILE_VARIABLE + " cannot be read (" + file + "): " + e);
    }
  }

  private static String nonBlank(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
