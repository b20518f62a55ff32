package dev.slipstream.runtime.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks a JWS signature with one key. Implementations are immutable and create their JCA objects
 * per call (JCA {@code Mac} and {@code Signature} instances are not thread-safe), so one instance
 * serves every event loop.
 *
 * <p>A check answers {@code false} for any signature it cannot verify, including signatures of the
 * wrong length or encoding that make a JCA provider throw: the signature is attacker input, and
 * "does not verify" is the truthful answer.
 */
sealed interface SignatureCheck {

  boolean verifies(JWSHeader header, byte[] signingInput, Base64URL signature);

  /**
   * HS256/HS384/HS512 with a shared secret. Done with JCA rather than nimbus's {@code MACVerifier}
   * because that refuses secrets shorter than the hash (256 bits for HS256), and Supabase (Joken)
   * accepts any secret length: a tenant's existing secret must keep working.
   */
  record Hmac(byte[] secret) implements SignatureCheck {

    @Override
    public boolean verifies(JWSHeader header, byte[] signingInput, Base64URL signature) {
      String jcaName = switch (header.getAlgorithm().getName()) {
        case "HS256" -> "HmacSHA256";
        case "HS384" -> "HmacSHA384";
        case "HS512" -> "HmacSHA512";
        default -> null;
      };
      if (jcaName == null) {
        return false;
      }
      try {
        Mac mac = Mac.getInstance(jcaName);
        mac.init(new SecretKeySpec(secret, jcaName));
        // constant time: the comparison must not tell an attacker how many leading bytes matched
        return MessageDigest.isEqual(mac.doFinal(signingInput), signature.decode());
      } catch (GeneralSecurityException | RuntimeException e) {
        return false;
      }
    }

    @Override
    public String toString() {
      return "Hmac[secret=<redacted>]"; // records print their components; a secret must never be
    }
  }

  /**
   * Either of two checks: the current and the previous JWT secret during a rotation. The previous is tried only
   * when the current fails, so tokens signed with the current secret cost one HMAC as before.
   */
  record Either(SignatureCheck current, SignatureCheck previous) implements SignatureCheck {

    @Override
    public boolean verifies(JWSHeader header, byte[] signingInput, Base64URL signature) {
      return current.verifies(header, signingInput, signature) || previous.verifies(header, signingInput, signature);
    }
  }

  /** RS256/384/512 and ES256/384/512 through nimbus's verifiers (thread-safe once built). */
  record Jose(JWSVerifier verifier) implements SignatureCheck {

    @Override
    public boolean verifies(JWSHeader header, byte[] signingInput, Base64URL signature) {
      try {
        return verifier.verify(header, signingInput, signature);
      } catch (JOSEException | RuntimeException e) {
        return false; // e.g. an ES384 token naming a P-256 key, or a signature of the wrong size
      }
    }
  }

  /**
   * EdDSA (Ed25519, Ed448) with the JDK's own implementation: nimbus needs Google Tink for it,
   * which the runtime does not carry. {@code curve} is the key's {@code crv}; a token whose
   * {@code alg} names the other curve does not verify.
   */
  record EdDsa(PublicKey key, String curve) implements SignatureCheck {

    @Override
    public boolean verifies(JWSHeader header, byte[] signingInput, Base64URL signature) {
      String alg = header.getAlgorithm().getName();
      if (!alg.equals("EdDSA") && !alg.equals(curve)) {
        return false;
      }
      try {
        Signature verifier = Signature.getInstance(curve);
        verifier.initVerify(key);
        verifier.update(signingInput);
        return verifier.verify(signature.decode());
      } catch (GeneralSecurityException | RuntimeException e) {
        return false;
      }
    }
  }
}
