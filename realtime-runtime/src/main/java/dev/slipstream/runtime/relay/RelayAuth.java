package dev.slipstream.runtime.relay;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Both ends prove they hold the tenant's shared secret without sending it: HMAC-SHA256 over the
 * other side's fresh nonce (so a recorded handshake cannot be replayed) and the fields the frame
 * carries (so they cannot be altered), with a label per direction (so one side's proof is never
 * valid as the other's). Compared in constant time. The secret never leaves this class, and no
 * method renders it.
 *
 * <p>A pod may hold more than one secret, preferred first: the tenant's relay key, then the database
 * password that keyed the relay before the relay had a key of its own. The leader accepts a proof
 * under any of them and proves back under the one that matched; a follower proves under one at a
 * time and moves to the next when the leader refuses it. So pods of a version that keys the relay
 * with the database password and pods that hold both follow each other during the roll between
 * them, and the database password opens the relay no wider than it did (whoever holds it can read
 * the rows anyway).
 */
final class RelayAuth {

  private static final String ALGORITHM = "HmacSHA256";
  private static final byte[] HELLO_LABEL = "slipstream-relay/1 hello".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] WELCOME_LABEL = "slipstream-relay/1 welcome".getBytes(StandardCharsets.US_ASCII);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec[] keys;

  RelayAuth(byte[] secret) {
    this(List.of(secret));
  }

  /** @param secrets preferred first; at least one, none empty */
  RelayAuth(List<byte[]> secrets) {
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException("the relay needs a secret");
    }
    this.keys = new SecretKeySpec[secrets.size()];
    for (int i = 0; i < keys.length; i++) {
      byte[] secret = secrets.get(i);
      if (secret == null || secret.length == 0) {
        throw new IllegalArgumentException("the relay secret must not be empty");
      }
      keys[i] = new SecretKeySpec(secret, ALGORITHM); // copies the bytes
    }
  }

  /** How many secrets this pod holds. */
  int keys() {
    return keys.length;
  }

  static byte[] nonce() {
    byte[] nonce = new byte[Frames.NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    return nonce;
  }

  /** The follower's proof under the preferred secret. */
  byte[] helloMac(byte[] serverNonce, byte[] clientNonce, String pod, boolean resuming, long lastEndLsn) {
    return helloMac(0, serverNonce, clientNonce, pod, resuming, lastEndLsn);
  }

  /** The follower's proof under secret {@code key}: over the leader's nonce, its own, its pod name and resume point. */
  byte[] helloMac(int key, byte[] serverNonce, byte[] clientNonce, String pod, boolean resuming, long lastEndLsn) {
    return mac(keys[key], HELLO_LABEL, serverNonce, clientNonce, pod.getBytes(StandardCharsets.UTF_8),
        longBytes(resuming ? 1 : 0), longBytes(lastEndLsn));
  }

  /**
   * Which of this pod's secrets a follower's proof was made under, or -1 for none. Every secret is
   * tried, whichever matches, so how long it takes tells nothing about which one did.
   */
  int helloKey(byte[] mac, byte[] serverNonce, byte[] clientNonce, String pod, boolean resuming, long lastEndLsn) {
    int matched = -1;
    for (int key = keys.length - 1; key >= 0; key--) {
      if (same(helloMac(key, serverNonce, clientNonce, pod, resuming, lastEndLsn), mac)) {
        matched = key;
      }
    }
    return matched;
  }

  /** The leader's proof under secret {@code key}: over the follower's nonce, its own, and what WELCOME says. */
  byte[] welcomeMac(int key, byte[] clientNonce, byte[] serverNonce, long startLsn, long serverWalEnd,
      int keepaliveMillis) {
    return mac(keys[key], WELCOME_LABEL, clientNonce, serverNonce, longBytes(startLsn), longBytes(serverWalEnd),
        longBytes(keepaliveMillis));
  }

  static boolean same(byte[] expected, byte[] actual) {
    return MessageDigest.isEqual(expected, actual);
  }

  private static byte[] mac(SecretKeySpec key, byte[]... parts) {
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
