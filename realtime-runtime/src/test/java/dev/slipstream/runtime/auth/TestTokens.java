package dev.slipstream.runtime.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mints JWTs for tests: HS256/384/512 with a shared secret (any length, as Supabase allows),
 * RS256 / ES256 / EdDSA with freshly generated keys and their JWKS, and the broken tokens a
 * verifier must refuse ({@code alg: none}, a tampered payload).
 *
 * <p>Typical use:
 * <pre>{@code
 * String token = TestTokens.hs256(TestTokens.SECRET, "authenticated", Instant.now().plusSeconds(3600));
 * TestTokens.SigningKey rsa = TestTokens.rsa("key-1");
 * String rsaToken = rsa.sign(TestTokens.claims("authenticated", exp));
 * AuthSettings settings = AuthSettings.withJwks(TestTokens.jwks(rsa));
 * }</pre>
 */
public final class TestTokens {

  /** The JWT secret of a local Supabase stack ({@code supabase start}), handy as a realistic secret. */
  public static final String SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";

  private TestTokens() {
  }

  /** A mutable claim set with {@code role} and {@code exp} (whole seconds), in that order. */
  public static Map<String, Object> claims(String role, Instant expiresAt) {
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("role", role);
    claims.put("exp", expiresAt.getEpochSecond());
    return claims;
  }

  /**
   * Claims as the verifier produces them, without minting a token: for tests of code that consumes
   * {@link Claims} (routing, claim-based access). {@code otherClaims} may nest maps and lists; the
   * token expires an hour from now.
   */
  public static Claims claimsOf(String role, Map<String, ?> otherClaims) {
    Instant expiresAt = Instant.now().plusSeconds(3600);
    Map<String, Object> payload = claims(role, expiresAt);
    payload.putAll(otherClaims);
    return Claims.of(payload, role, Instant.ofEpochSecond(expiresAt.getEpochSecond()));
  }

  /** An HS256 token with {@code role} and {@code exp}. */
  public static String hs256(String secret, String role, Instant expiresAt) {
    return hs256(secret, claims(role, expiresAt));
  }

  /** An HS256 token with exactly these claims (leave out {@code role} or {@code exp} to test their absence). */
  public static String hs256(String secret, Map<String, ?> claims) {
    return hmac("HS256", secret, Map.of(), claims);
  }

  /**
   * An HS256/HS384/HS512 token. {@code extraHeader} is added to {@code {"alg": ..., "typ": "JWT"}},
   * for a {@code kid} for example. Signed with JCA directly, so secrets of any length work.
   */
  public static String hmac(String alg, String secret, Map<String, ?> extraHeader, Map<String, ?> claims) {
    return hmac(alg, secret.getBytes(StandardCharsets.UTF_8), extraHeader, claims);
  }

  /** As {@link #hmac(String, String, Map, Map)} with a raw key (a JWKS {@code oct} key's bytes). */
  public static String hmac(String alg, byte[] key, Map<String, ?> extraHeader, Map<String, ?> claims) {
    String jcaName = "HmacSHA" + alg.substring(2);
    String signingInput = segment(header(alg, extraHeader)) + "." + segment(claims);
    try {
      Mac mac = Mac.getInstance(jcaName);
      mac.init(new SecretKeySpec(key, jcaName));
      return signingInput + "." + Base64URL.encode(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An unsecured token, {@code alg: none} and an empty signature: must always be refused. */
  public static String unsigned(Map<String, ?> claims) {
    return segment(Map.of("alg", "none", "typ", "JWT")) + "." + segment(claims) + ".";
  }

  /**
   * {@code token} with its payload replaced by {@code claims} and its signature kept: what an
   * attacker raising their own role would send.
   */
  public static String tamperedPayload(String token, Map<String, ?> claims) {
    String[] parts = token.split("\\.", -1);
    return parts[0] + "." + segment(claims) + "." + parts[2];
  }

  /** A token whose header is {@code header} exactly, signature {@code signature} (base64url text). */
  public static String raw(Map<String, ?> header, Map<String, ?> claims, String signature) {
    return segment(header) + "." + segment(claims) + "." + signature;
  }

  /** A fresh 2048-bit RSA key for RS256 tokens. */
  public static SigningKey rsa(String kid) {
    try {
      RSAKey key = new RSAKeyGenerator(2048).keyID(kid).generate();
      return new SigningKey(key, JWSAlgorithm.RS256, new RSASSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A fresh P-256 key for ES256 tokens. */
  public static SigningKey ec(String kid) {
    try {
      ECKey key = new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
      return new SigningKey(key, JWSAlgorithm.ES256, new ECDSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A fresh Ed25519 key for EdDSA tokens (JDK crypto; nimbus would need Google Tink). */
  public static EdDsaKey ed25519(String kid) {
    try {
      KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      byte[] encoded = pair.getPublic().getEncoded(); // X.509: a 12-byte prefix, then the 32-byte key
      byte[] x = Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
      return new EdDsaKey(kid, pair.getPrivate(), x);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The JWKS JSON ({@code {"keys": [...]}}) publishing these keys' public parts. */
  public static String jwks(Key... keys) {
    List<Object> published = Arrays.stream(keys).<Object>map(Key::publicJwk).toList();
    return JSONObjectUtils.toJSONString(Map.of("keys", published));
  }

  /** A JWKS {@code oct} key (a shared secret published with a {@code kid}), as a JWKS entry. */
  public static Key octKey(String kid, byte[] secret) {
    return () -> Map.of("kty", "oct", "kid", kid, "k", Base64URL.encode(secret).toString());
  }

  /** Something that can be published in a JWKS. */
  public interface Key {
    Map<String, Object> publicJwk();
  }

  /** An RSA or EC private key with the algorithm it signs with. */
  public record SigningKey(JWK key, JWSAlgorithm alg, JWSSigner signer) implements Key {

    public String kid() {
      return key.getKeyID();
    }

    /** A token signed with this key, its {@code kid} in the header. */
    public String sign(Map<String, ?> claims) {
      return sign(claims, kid());
    }

    /** A token signed with this key but naming {@code kid} (or no kid when {@code null}). */
    public String sign(Map<String, ?> claims, String kid) {
      try {
        JWSObject jws = new JWSObject(new JWSHeader.Builder(alg).keyID(kid).build(),
            new Payload(JSONObjectUtils.toJSONString(new LinkedHashMap<>(claims))));
        jws.sign(signer);
        return jws.serialize();
      } catch (JOSEException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public Map<String, Object> publicJwk() {
      return key.toPublicJWK().toJSONObject();
    }
  }

  /** An Ed25519 private key; tokens say {@code alg: EdDSA} (RFC 8037). */
  public record EdDsaKey(String kid, PrivateKey privateKey, byte[] x) implements Key {

    public String sign(Map<String, ?> claims) {
      String signingInput = segment(header("EdDSA", Map.of("kid", kid))) + "." + segment(claims);
      try {
        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(privateKey);
        signer.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + Base64URL.encode(signer.sign());
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public Map<String, Object> publicJwk() {
      return Map.of("kty", "OKP", "crv", "Ed25519", "kid", kid, "x", Base64URL.encode(x).toString());
    }
  }

  private static Map<String, Object> header(String alg, Map<String, ?> extra) {
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("alg", alg);
    header.put("typ", "JWT");
    header.putAll(extra);
    return header;
  }

  private static String segment(Map<String, ?> json) {
    return Base64URL.encode(JSONObjectUtils.toJSONString(new LinkedHashMap<>(json))).toString();
  }
}
