package dev.slipstream.operator.model;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How {@link SlotNames} and {@link PublicationNames} derive PostgreSQL identifiers from Kubernetes
 * names (not to be confused with {@code postgres.Identifiers}, which quotes identifiers into SQL).
 * A derived identifier is either a <em>readable</em> lossless encoding of its inputs, or, when that is impossible (characters
 * that must be replaced, or more than 63 bytes), a sanitized and truncated form followed by
 * {@value #HASH_SEPARATOR} and eight hex digits of SHA-256 over the exact inputs.
 *
 * <p>Why distinct inputs do not collide: readable names are decodable, so two readable names differ
 * when their inputs do. Readable names never contain {@value #HASH_SEPARATOR} (their parts are
 * DNS labels without "--"), and hashed names always do, so the two families are disjoint. Two hashed
 * names can only meet when their sanitized prefixes and 32 bits of SHA-256 coincide.
 */
final class DerivedIdentifiers {

  /** PostgreSQL keeps NAMEDATALEN - 1 bytes of an identifier; every character we emit is one byte. */
  static final int MAX_BYTES = 63;

  static final String HASH_SEPARATOR = "__";

  static final int HASH_HEX_DIGITS = 8;

  /** A DNS label without "--": its dashes map one-to-one onto underscores that never double up. */
  static final Pattern READABLE_PART = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

  /** Like {@link #READABLE_PART} but with no dash at all, for the part before the separator. */
  static final Pattern READABLE_HEAD = Pattern.compile("[a-z0-9]+");

  private DerivedIdentifiers() {
  }

  /**
   * The readable form when {@code lossless} and short enough, otherwise the hashed form of
   * {@code readable}.
   *
   * @param hashInputs the exact inputs, hashed as separate fields so no two input pairs share a hash input
   */
  static String readableOrHashed(String readable, boolean lossless, String... hashInputs) {
    if (lossless && readable.length() <= MAX_BYTES) {
      return readable;
    }
    Digest digest = Digest.sha256();
    for (String input : hashInputs) {
      digest.add(input);
    }
    String suffix = HASH_SEPARATOR + digest.hex().substring(0, HASH_HEX_DIGITS);
    String body = sanitize(readable);
    return body.substring(0, Math.min(body.length(), MAX_BYTES - suffix.length())) + suffix;
  }

  /** Lower case; every character other than a-z, 0-9 and underscore becomes an underscore. */
  static String sanitize(String value) {
    String lower = value.toLowerCase(Locale.ROOT);
    StringBuilder out = new StringBuilder(lower.length());
    for (int i = 0; i < lower.length(); i++) {
      char c = lower.charAt(i);
      out.append((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ? c : '_');
    }
    return out.toString();
  }

  static String requireText(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    return value;
  }
}
