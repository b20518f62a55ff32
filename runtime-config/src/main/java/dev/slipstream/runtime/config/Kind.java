package dev.slipstream.runtime.config;

/** What a {@link Setting}'s variable holds, which decides how it is parsed and written. */
public enum Kind {
  /** Text, used as given (not trimmed). */
  TEXT,
  /** Text that must never be logged, put in an error message or in a ConfigMap: the operator maps it from a Secret. */
  SECRET,
  /** A decimal {@code int}. */
  INTEGER,
  /**
   * A positive byte count: plain digits ({@code 1048576}, what the operator writes) or with a binary suffix
   * ({@code 512Ki}, {@code 1Mi}, {@code 1Gi}).
   */
  BYTES,
  /**
   * A positive duration as the CRD and Go write them: {@code 500ms}, {@code 30s}, {@code 1m30s}, {@code 1.5h}
   * (units {@code ms}, {@code s}, {@code m}, {@code h}, whole milliseconds).
   */
  DURATION,
  /** Comma-separated items, each trimmed; empty items are dropped. */
  LIST,
  /** One of a fixed set of words ({@link Setting#choices()}). */
  CHOICE
}
