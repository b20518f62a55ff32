package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** libpq's {@code sslmode} values that Slipstream supports, with libpq's meaning. */
public enum SslMode {
  /** Plain TCP. */
  @JsonProperty("disable")
  DISABLE,
  /** TLS when the server offers it, plain otherwise. */
  @JsonProperty("prefer")
  PREFER,
  /** TLS, without checking the server certificate. */
  @JsonProperty("require")
  REQUIRE,
  /** TLS, with the server certificate checked against the CA and the host name. */
  @JsonProperty("verify-full")
  VERIFY_FULL;

  /** The value as libpq and pgjdbc spell it. */
  public String libpqValue() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
