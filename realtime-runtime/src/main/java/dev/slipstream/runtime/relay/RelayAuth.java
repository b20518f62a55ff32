package dev.slipstream.runtime.relay;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Both ends prove they hold the tenant's shared secret without sending it: HMAC-SHA256 over the
 * other side's fresh nonce (so a recorded handshake cannot be replayed) and the fields the frame
 * carries (so they cannot be altered), with a label per direction (so one side's proof is never
 * valid as the other's). Compared in constant time. The secret never leaves this class, and no
 * method renders it.
 */
final class RelayAuth {

  private static final String ALGORITHM = "HmacSHA256";
  private static final byte[] HELLO_LABEL = "slipstream-relay/1 hello".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] WELCOME_LABEL = "slipstream-relay/1 welcome".getBytes(StandardCharsets.US_ASCII);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;

  RelayAuth(byte[] secret) {
    if (secret == null || secret.length == 0) {
      throw new IllegalArgumentException("the relay secret must not be empty");
    }
    this.key = new SecretKeySpec(secret, ALGORITHM); // copies the bytes
  }

  static byte[] nonce() {
    byte[] nonce = new byte[Frames.NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    return nonce;
  }

  /** The follower's proof: over the leader's nonce, its own nonce, its pod name and resume point. */
  byte[] helloMac(byte[] serverNonce, byte[] clientNonce, String pod, boolean resuming, long lastEndLsn) {
    return mac(HELLO_LABEL, serverNonce, clientNonce, pod.getBytes(StandardCharsets.UTF_8),
        longBytes(resuming ? 1 : 0), longBytes(lastEndLsn));
  }

  /** The leader's proof: over the follower's nonce, its own, and what WELCOME tells the follower. */
  byte[] welcomeMac(byte[] clientNonce, byte[] serverNonce, long startLsn, long serverWalEnd, int keepaliveMillis) {
    return mac(WELCOME_LABEL, clientNonce, serverNonce, longBytes(startLsn), longBytes(serverWalEnd),
        longBytes(keepaliveMillis));
  }

  static boolean same(byte[] expected, byte[] actual) {
    return MessageDigest.isEqual(expected, actual);
  }

  private byte[] mac(byte[]... parts) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      for (byte[] part : parts) {
        mac.update(longBytes(part.length)); // lengths too: no two field lists hash alike
        mac.update(part);
      }
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }

  private static byte[] longBytes(long value) {
    return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
  }

  @Override
  public String toString() {
    return "RelayAuth[secret hidden]";
  }
}
