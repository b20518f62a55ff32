package dev.slipstream.runtime.auth;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The claims of a verified token, immutable and safe to share between threads.
 *
 * <h2>Claim text, for comparison with row values</h2>
 * {@link #claim(String)} gives a claim as the text PostgreSQL would print for an equal column value,
 * so claim-based row access compares two strings:
 * <ul>
 *   <li>a JSON string is returned as it is ({@code "sub": "7f3c…"} → {@code 7f3c…}, a uuid column
 *       prints the same lower-case text);
 *   <li>a JSON number that is a whole number is printed without a fraction or exponent
 *       ({@code 42}, {@code 42.0} and {@code 4.2e1} all give {@code 42}, as an integer column prints);
 *       other numbers are printed in plain decimal notation ({@code 1.5}, {@code 0.0001}).
 *       Whole numbers outside the 64-bit range arrive as doubles from the JSON parser and may
 *       have lost digits: put large ids in claims as strings;
 *   <li>{@code true} / {@code false} give {@code "true"} / {@code "false"} (compare with a boolean
 *       column's JSON value, not with pgoutput's {@code t} / {@code f});
 *   <li>{@code null}, objects and arrays give {@code null}: they never equal a column value.
 * </ul>
 *
 * <h2>Claim paths</h2>
 * A name is first looked up as a top-level claim as it is, so namespaced claims such as
 * {@code https://example.com/tenant} work; if there is none, the name is read as a path through
 * nested objects separated by dots: {@code app_metadata.tenant_id} is
 * {@code {"app_metadata": {"tenant_id": …}}}.
 */
public final class Claims {

  /** The role of every connection when authentication is disabled (dev mode). */
  public static final String ANONYMOUS_ROLE = "anon";

  private static final Claims ANONYMOUS = new Claims(Map.of("role", ANONYMOUS_ROLE), ANONYMOUS_ROLE, null);

  private final Map<String, Object> values;
  private final String role;
  private final Instant expiresAt;

  private Claims(Map<String, Object> values, String role, Instant expiresAt) {
    this.values = values;
    this.role = role;
    this.expiresAt = expiresAt;
  }

  /**
   * Claims of a verified token. {@code values} is the decoded JSON payload (maps, lists, strings,
   * numbers, booleans, nulls); it is copied deeply, so later changes to it are not seen.
   */
  static Claims of(Map<String, ?> values, String role, Instant expiresAt) {
    return new Claims(deepCopy(values), Objects.requireNonNull(role, "role"),
        Objects.requireNonNull(expiresAt, "expiresAt"));
  }

  /** The claims of every connection when authentication is disabled: role {@code anon}, no expiry. */
  public static Claims anonymous() {
    return ANONYMOUS;
  }

  /** The {@code role} claim: {@code anon}, {@code authenticated}, {@code service_role}, … */
  public String role() {
    return role;
  }

  /**
   * When the token expires ({@code exp}), or {@code null} for {@link #anonymous()} claims, which
   * never expire. Prefer {@link #isExpiredAt(Instant)}, which handles both.
   */
  public Instant expiresAt() {
    return expiresAt;
  }

  /** Whether the token has expired at {@code now}: {@code exp} is not after it, as Supabase checks. */
  public boolean isExpiredAt(Instant now) {
    return expiresAt != null && !expiresAt.isAfter(now);
  }

  /** The {@code sub} claim (the user id for Supabase Auth tokens), or {@code null} if absent. */
  public String subject() {
    return values.get("sub") instanceof String sub ? sub : null;
  }

  /**
   * The claim at {@code path} as canonical text (see the class documentation), or {@code null} when
   * it is absent, JSON {@code null}, an object or an array.
   */
  public String claim(String path) {
    Objects.requireNonNull(path, "path");
    return canonicalText(lookup(path));
  }

  private Object lookup(String path) {
    if (values.containsKey(path)) {
      return values.get(path);
    }
    Object current = values;
    int start = 0;
    while (current instanceof Map<?, ?> object) {
      int dot = path.indexOf('.', start);
      String name = dot < 0 ? path.substring(start) : path.substring(start, dot);
      current = object.get(name);
      if (dot < 0) {
        return current;
      }
      start = dot + 1;
    }
    return null;
  }

  static String canonicalText(Object value) {
    return switch (value) {
      case String text -> text;
      case Boolean bool -> bool.toString();
      case Long number -> number.toString();
      case Integer number -> number.toString();
      case Double number -> numberText(number);
      case BigDecimal number -> decimalText(number);
      case Number number -> decimalText(new BigDecimal(number.toString()));
      case null, default -> null;
    };
  }

  private static String numberText(double number) {
    if (!Double.isFinite(number)) {
      return null;
    }
    if (number == Math.rint(number) && Math.abs(number) < 0x1p63) {
      return Long.toString((long) number);
    }
    return decimalText(BigDecimal.valueOf(number));
  }

  private static String decimalText(BigDecimal number) {
    BigDecimal stripped = number.stripTrailingZeros();
    return (stripped.scale() < 0 ? stripped.setScale(0) : stripped).toPlainString();
  }

  private static Map<String, Object> deepCopy(Map<String, ?> object) {
    Map<String, Object> copy = new LinkedHashMap<>();
    object.forEach((name, value) -> copy.put(name, deepCopyValue(value)));
    return Collections.unmodifiableMap(copy);
  }

  @SuppressWarnings("unchecked")
  private static Object deepCopyValue(Object value) {
    if (value instanceof Map<?, ?> object) {
      return deepCopy((Map<String, ?>) object);
    }
    if (value instanceof List<?> array) {
      List<Object> copy = new ArrayList<>(array.size());
      array.forEach(element -> copy.add(deepCopyValue(element)));
      return Collections.unmodifiableList(copy);
    }
    return value;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Claims that && values.equals(that.values) && role.equals(that.role)
        && Objects.equals(expiresAt, that.expiresAt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(values, role, expiresAt);
  }

  /** Role, subject and expiry only: other claims may be personal data and stay out of logs. */
  @Override
  public String toString() {
    return "Claims[role=" + role + ", sub=" + subject() + ", exp=" + expiresAt + "]";
  }
}
