package dev.slipstream.api.v1alpha1;

/** Schema patterns shared by several fields. Each says which rule of PostgreSQL or Kubernetes it encodes. */
public final class Patterns {

  /**
   * A replication slot name: "Slot names may contain only lower case letters, numbers, and the
   * underscore character" (PostgreSQL docs, Replication Slots), at most NAMEDATALEN-1 = 63 bytes.
   */
  public static final String SLOT_NAME = "^[a-z0-9_]+$";

  /**
   * A publication name in the form PostgreSQL folds unquoted identifiers to (lower case, starting
   * with a letter or underscore), so the name a user sees in {@code psql} is the name written here.
   */
  public static final String LOWER_CASE_IDENTIFIER = "^[a-z_][a-z0-9_$]*$";

  /** PostgreSQL truncates identifiers to NAMEDATALEN-1 bytes; the API refuses longer ones instead. */
  public static final int MAX_IDENTIFIER_BYTES = 63;

  /** A duration with a non-zero digit in it: 0s or 0m0s would turn a timeout off in a way nobody asked for. */
  public static final String NONZERO_DURATION_RULE = "self.matches('[1-9]')";
  public static final String NONZERO_DURATION_MESSAGE = "must be longer than zero";

  /** A Go-style duration as Kubernetes writes them: {@code 30s}, {@code 5m}, {@code 1h30m}, {@code 500ms}. */
  public static final String DURATION = "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$";

  /**
   * CEL rule for a positive byte size given as a Kubernetes quantity ({@code 1048576}, {@code 1Mi},
   * {@code 1Gi}). A schema pattern cannot do it: the generator emits quantities as int-or-string
   * and drops patterns there; Kubernetes' CEL quantity library (1.29+) can.
   */
  public static final String POSITIVE_QUANTITY_RULE =
      "type(self) == int ? self > 0 : (isQuantity(self) && quantity(self).isGreaterThan(quantity('0')))";

  public static final String POSITIVE_QUANTITY_MESSAGE = "must be a positive quantity of bytes, such as 1048576, 512Ki, 1Mi or 1Gi";

  /** A Kubernetes object name (DNS-1123 subdomain). */
  public static final String DNS_SUBDOMAIN =
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  /**
   * One line of text: a value that becomes an environment variable and appears in the runtime's error messages
   * must not carry line breaks or other control characters. (Its length goes in a Size: RE2, which the API server
   * checks patterns with, allows no repeat count over 1,000.)
   */
  public static final String SINGLE_LINE_TEXT = "^[^\\x00-\\x1f\\x7f]+$";

  private Patterns() {
  }
}
