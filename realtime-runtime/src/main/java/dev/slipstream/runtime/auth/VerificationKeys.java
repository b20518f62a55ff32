package dev.slipstream.runtime.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

/**
 * The keys a token may be verified with, and the rule choosing one for a token's header.
 *
 * <p>The rule is Supabase Realtime's {@code generate_signer/3}
 * ({@code lib/realtime_web/channels/auth/jwt_verification.ex}): the header's {@code alg} picks the
 * key family and its {@code kid} the key within it; the key never picks the algorithm. That is what
 * keeps an HS256 token from being checked with an RSA public key used as an HMAC secret
 * (algorithm confusion), and {@code alg: none} from being accepted at all:
 * <ul>
 *   <li>RS256/384/512 → the JWKS's RSA key with that {@code kid};
 *   <li>ES256/384/512 → its EC key with that {@code kid};
 *   <li>EdDSA, Ed25519, Ed448 → its OKP key (curve Ed25519 or Ed448) with that {@code kid};
 *   <li>HS256/384/512 → its {@code oct} key with that {@code kid} if there is one, otherwise the
 *       shared secret (Supabase Auth's HS256 tokens carry a {@code kid} that is not in the JWKS);
 *   <li>anything else, or RS/ES/EdDSA without a {@code kid} → no key.
 * </ul>
 * Every public key is turned into a verifier once, here, so choosing one per token is a map lookup.
 */
final class VerificationKeys {

  private static final Set<String> HS = Set.of("HS256", "HS384", "HS512");
  private static final Set<String> RS = Set.of("RS256", "RS384", "RS512");
  private static final Set<String> ES = Set.of("ES256", "ES384", "ES512");
  private static final Set<String> ED = Set.of("EdDSA", "Ed25519", "Ed448");

  /** X.509 SubjectPublicKeyInfo prefixes before the raw public key (RFC 8410). */
  private static final Map<String, byte[]> EDDSA_X509_PREFIX = Map.of(
      "Ed25519", HexFormat.of().parseHex("302a300506032b6570032100"),
      "Ed448", HexFormat.of().parseHex("3043300506032b6571033a00"));

  private final SignatureCheck sharedSecret;
  private final boolean hasJwks;
  private final Map<String, SignatureCheck> rsa = new HashMap<>();
  private final Map<String, SignatureCheck> ec = new HashMap<>();
  private final Map<String, SignatureCheck> okp = new HashMap<>();
  private final Map<String, SignatureCheck> oct = new HashMap<>();

  VerificationKeys(AuthSettings settings) {
    this.sharedSecret = sharedSecret(settings);
    this.hasJwks = settings.jwks() != null;
    if (hasJwks) {
      for (JWK key : settings.jwks().getKeys()) {
        SignatureCheck check = checkFor(key);
        if (check != null) {
          familyOf(key).putIfAbsent(key.getKeyID(), check); // the first of duplicate kids wins, as Enum.find
        }
      }
    }
  }

  /** The current secret's check, or either secret's while a rotation's previous secret is still accepted. */
  private static SignatureCheck sharedSecret(AuthSettings settings) {
    if (settings.jwtSecret() == null) {
      return null;
    }
    SignatureCheck current = new SignatureCheck.Hmac(settings.jwtSecretBytes());
    byte[] previous = settings.previousJwtSecretBytes();
    return previous == null ? current : new SignatureCheck.Either(current, new SignatureCheck.Hmac(previous));
  }

  /** The check for a token with this header; throws the Supabase "signer" rejection when none fits. */
  SignatureCheck select(JWSHeader header) throws TokenRejectedException {
    String alg = header.getAlgorithm().getName();
    String kid = header.getKeyID();
    if (hasJwks && kid != null) {
      Map<String, SignatureCheck> family = RS.contains(alg) ? rsa
          : ES.contains(alg) ? ec
          : ED.contains(alg) ? okp
          : HS.contains(alg) ? oct
          : null;
      if (family != null) {
        SignatureCheck check = family.get(kid);
        if (check != null) {
          return check;
        }
        if (family != oct) {
          throw TokenRejectedException.signerMissing(kid);
        }
      }
    }
    if (HS.contains(alg)) {
      if (sharedSecret != null) {
        return sharedSecret;
      }
      if (kid != null) {
        throw TokenRejectedException.signerMissing(kid); // Slipstream only: no secret configured
      }
    }
    throw new TokenRejectedException(Rejection.NO_SIGNER);
  }

  /**
   * Why a JWKS key can never be selected, or {@code null} if it can. Used at startup to refuse a
   * JWKS nothing can be verified with, and to name the keys that will be ignored.
   */
  static String unusableBecause(JWK key) {
    if (key.getKeyID() == null) {
      return "it has no kid (tokens choose their key by kid)";
    }
    if (checkFor(key) != null) {
      return null;
    }
    return switch (key) {
      case OctetKeyPair pair -> "OKP curve " + pair.getCurve() + " is not a signature curve (Ed25519, Ed448)";
      case ECKey ecKey -> "EC curve " + ecKey.getCurve() + " is not one of P-256, P-384, P-521";
      default -> "its " + key.getKeyType() + " key could not be loaded";
    };
  }

  private Map<String, SignatureCheck> familyOf(JWK key) {
    return switch (key) {
      case RSAKey k -> rsa;
      case ECKey k -> ec;
      case OctetKeyPair k -> okp;
      default -> oct;
    };
  }

  private static SignatureCheck checkFor(JWK key) {
    if (key.getKeyID() == null) {
      return null;
    }
    try {
      return switch (key) {
        case RSAKey rsaKey -> new SignatureCheck.Jose(new RSASSAVerifier(rsaKey.toPublicJWK()));
        case ECKey ecKey -> isJwsCurve(ecKey.getCurve())
            ? new SignatureCheck.Jose(new ECDSAVerifier(ecKey.toPublicJWK())) : null;
        case OctetKeyPair pair -> edDsa(pair);
        case OctetSequenceKey secret -> secret.toByteArray().length == 0 ? null
            : new SignatureCheck.Hmac(secret.toByteArray());
        default -> null;
      };
    } catch (JOSEException | GeneralSecurityException | RuntimeException e) {
      return null;
    }
  }

  private static boolean isJwsCurve(Curve curve) {
    return Curve.P_256.equals(curve) || Curve.P_384.equals(curve) || Curve.P_521.equals(curve);
  }

  private static SignatureCheck edDsa(OctetKeyPair pair) throws GeneralSecurityException {
    String curve = pair.getCurve().getName();
    byte[] prefix = EDDSA_X509_PREFIX.get(curve);
    if (prefix == null) {
      return null;
    }
    byte[] raw = pair.getDecodedX();
    byte[] encoded = new byte[prefix.length + raw.length];
    System.arraycopy(prefix, 0, encoded, 0, prefix.length);
    System.arraycopy(raw, 0, encoded, prefix.length, raw.length);
    PublicKey key = KeyFactory.getInstance(curve).generatePublic(new X509EncodedKeySpec(encoded));
    return new SignatureCheck.EdDsa(key, curve);
  }
}
