package dev.slipstream.operator.model;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 over a sequence of length-prefixed fields, so that field boundaries are part of the
 * hash: ("ab", "c") and ("a", "bc") hash differently, and an absent value differs from an empty one.
 */
final class Digest {

  private static final int ABSENT = -1;

  private final MessageDigest sha256;

  private Digest() {
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
  }

  static Digest sha256() {
    return new Digest();
  }

  Digest add(String value) {
    return add(value == null ? null : value.getBytes(StandardCharsets.UTF_8));
  }

  Digest add(byte[] value) {
    sha256.update(ByteBuffer.allocate(Integer.BYTES).putInt(value == null ? ABSENT : value.length).array());
    if (value != null) {
      sha256.update(value);
    }
    return this;
  }

  /** The hash as 64 lower-case hex digits. */
  String hex() {
    return HexFormat.of().formatHex(sha256.digest());
  }
}
