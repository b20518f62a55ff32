package dev.slipstream.operator.model;

import dev.slipstream.api.v1alpha1.LimitsSpec;
import dev.slipstream.api.v1alpha1.Patterns;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.regex.Pattern;

/**
 * {@code spec.limits} with the CRD's defaults applied and quantities turned into plain byte
 * counts, which is what the runtime's configuration holds (it would also parse {@code 1Mi}, but not
 * every quantity Kubernetes accepts, such as {@code 1M} or {@code 1.5Mi}). Durations stay as the
 * CRD writes them ({@code 60s}), checked against the CRD's duration pattern.
 *
 * <p>Every value is checked again here, naming the field: a tenant stored by an API server that
 * predates the schema's rules reaches the operator unvalidated.
 */
record RuntimeLimits(
    long clientBufferBytes,
    long maxPayloadBytes,
    int maxClients,
    int maxEventsPerSecond,
    int maxChannelsPerClient,
    int maxJoinsPerSecond,
    int maxEventsPerSecondPerClient,
    int maxJoinsPerSecondPerClient,
    long clientInboundBytesPerSecond,
    int maxBindingsPerChannel,
    int maxBindingsPerClient,
    int maxFilterLength,
    int maxFilterValues,
    int maxTopicLength,
    long maxPresencePayloadBytes,
    int maxPresencesPerClient,
    String handshakeTimeout,
    String joinTimeout,
    String idleTimeout) {

  static final long DEFAULT_CLIENT_BUFFER_BYTES = 1L << 20;
  static final long DEFAULT_MAX_PAYLOAD_BYTES = 1L << 20;
  static final int DEFAULT_MAX_CLIENTS = 50_000;
  static final int DEFAULT_MAX_EVENTS_PER_SECOND = 10_000;
  static final int DEFAULT_MAX_CHANNELS_PER_CLIENT = 100;
  static final int DEFAULT_MAX_JOINS_PER_SECOND = 500;
  static final int DEFAULT_MAX_EVENTS_PER_SECOND_PER_CLIENT = 100;
  static final int DEFAULT_MAX_JOINS_PER_SECOND_PER_CLIENT = 10;
  static final long DEFAULT_CLIENT_INBOUND_BYTES_PER_SECOND = 1L << 20;
  static final int DEFAULT_MAX_BINDINGS_PER_CHANNEL = 100;
  static final int DEFAULT_MAX_BINDINGS_PER_CLIENT = 500;
  static final int DEFAULT_MAX_FILTER_LENGTH = 4096;
  static final int DEFAULT_MAX_FILTER_VALUES = 100;
  static final int DEFAULT_MAX_TOPIC_LENGTH = 256;
  static final long DEFAULT_MAX_PRESENCE_PAYLOAD_BYTES = 10L << 10;
  static final int DEFAULT_MAX_PRESENCES_PER_CLIENT = 10;
  static final String DEFAULT_HANDSHAKE_TIMEOUT = "10s";
  static final String DEFAULT_JOIN_TIMEOUT = "30s";
  static final String DEFAULT_IDLE_TIMEOUT = "60s";

  private static final Pattern DURATION = Pattern.compile(Patterns.DURATION);

  static RuntimeLimits from(LimitsSpec spec) {
    LimitsSpec limits = spec == null ? new LimitsSpec() : spec;
    int maxBindingsPerChannel = positive(limits.getMaxBindingsPerChannel(), DEFAULT_MAX_BINDINGS_PER_CHANNEL,
        "spec.limits.maxBindingsPerChannel");
    int maxBindingsPerClient = positive(limits.getMaxBindingsPerClient(), DEFAULT_MAX_BINDINGS_PER_CLIENT,
        "spec.limits.maxBindingsPerClient");
    // The CRD's rule on spec.limits, for API servers that did not check it.
    if (maxBindingsPerChannel > maxBindingsPerClient) {
      throw new InvalidTenantException("spec.limits.maxBindingsPerChannel must not exceed "
          + "spec.limits.maxBindingsPerClient, was " + maxBindingsPerChannel + " > " + maxBindingsPerClient);
    }
    return new RuntimeLimits(
        bytes(limits.getClientBufferBytes(), DEFAULT_CLIENT_BUFFER_BYTES, "spec.limits.clientBufferBytes"),
        // The runtime hands the payload limit to Netty's WebSocket decoder, which takes an int.
        intBytes(limits.getMaxPayloadBytes(), DEFAULT_MAX_PAYLOAD_BYTES, "spec.limits.maxPayloadBytes"),
        positive(limits.getMaxClients(), DEFAULT_MAX_CLIENTS, "spec.limits.maxClients"),
        positive(limits.getMaxEventsPerSecond(), DEFAULT_MAX_EVENTS_PER_SECOND, "spec.limits.maxEventsPerSecond"),
        positive(limits.getMaxChannelsPerClient(), DEFAULT_MAX_CHANNELS_PER_CLIENT, "spec.limits.maxChannelsPerClient"),
        positive(limits.getMaxJoinsPerSecond(), DEFAULT_MAX_JOINS_PER_SECOND, "spec.limits.maxJoinsPerSecond"),
        positive(limits.getMaxEventsPerSecondPerClient(), DEFAULT_MAX_EVENTS_PER_SECOND_PER_CLIENT,
            "spec.limits.maxEventsPerSecondPerClient"),
        positive(limits.getMaxJoinsPerSecondPerClient(), DEFAULT_MAX_JOINS_PER_SECOND_PER_CLIENT,
            "spec.limits.maxJoinsPerSecondPerClient"),
        // The runtime's inbound and presence budgets are ints, as the payload limit is.
        intBytes(limits.getClientInboundBytesPerSecond(), DEFAULT_CLIENT_INBOUND_BYTES_PER_SECOND,
            "spec.limits.clientInboundBytesPerSecond"),
        maxBindingsPerChannel,
        maxBindingsPerClient,
        positive(limits.getMaxFilterLength(), DEFAULT_MAX_FILTER_LENGTH, "spec.limits.maxFilterLength"),
        positive(limits.getMaxFilterValues(), DEFAULT_MAX_FILTER_VALUES, "spec.limits.maxFilterValues"),
        positive(limits.getMaxTopicLength(), DEFAULT_MAX_TOPIC_LENGTH, "spec.limits.maxTopicLength"),
        intBytes(limits.getMaxPresencePayloadBytes(), DEFAULT_MAX_PRESENCE_PAYLOAD_BYTES,
            "spec.limits.maxPresencePayloadBytes"),
        positive(limits.getMaxPresencesPerClient(), DEFAULT_MAX_PRESENCES_PER_CLIENT,
            "spec.limits.maxPresencesPerClient"),
        duration(limits.getHandshakeTimeout(), DEFAULT_HANDSHAKE_TIMEOUT, "spec.limits.handshakeTimeout"),
        duration(limits.getJoinTimeout(), DEFAULT_JOIN_TIMEOUT, "spec.limits.joinTimeout"),
        duration(limits.getIdleTimeout(), DEFAULT_IDLE_TIMEOUT, "spec.limits.idleTimeout"));
  }

  /** Whole bytes, rounding a fractional quantity such as {@code 1.5} up: a budget is never shrunk to zero. */
  private static long bytes(Quantity quantity, long fallback, String field) {
    if (quantity == null) {
      return fallback;
    }
    BigDecimal bytes;
    try {
      bytes = Quantity.getAmountInBytes(quantity);
    } catch (RuntimeException e) {
      throw new InvalidTenantException(field + " is not a quantity of bytes: '" + quantity + "'");
    }
    BigDecimal whole = bytes.setScale(0, RoundingMode.CEILING);
    if (whole.signum() <= 0 || whole.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw new InvalidTenantException(field + " must be a positive quantity of bytes, was '" + quantity + "'");
    }
    return whole.longValueExact();
  }

  /** {@link #bytes}, for a limit the runtime holds in an int. */
  private static long intBytes(Quantity quantity, long fallback, String field) {
    long bytes = bytes(quantity, fallback, field);
    if (bytes > Integer.MAX_VALUE) {
      throw new InvalidTenantException(field + " must be at most " + Integer.MAX_VALUE
          + " bytes (2Gi - 1), was " + bytes);
    }
    return bytes;
  }

  private static int positive(Integer value, int fallback, String field) {
    if (value == null) {
      return fallback;
    }
    if (value < 1) {
      throw new InvalidTenantException(field + " must be at least 1, was " + value);
    }
    return value;
  }

  /** The CRD's duration as written ({@code 60s}, {@code 1m30s}, {@code 500ms}), which the runtime parses. */
  private static String duration(String value, String fallback, String field) {
    if (value == null) {
      return fallback;
    }
    if (!DURATION.matcher(value).matches()) {
      throw new InvalidTenantException(field + " must be a duration such as 10s, 1m or 1m30s, was '" + value + "'");
    }
    if (value.chars().noneMatch(c -> c >= '1' && c <= '9')) {
      throw new InvalidTenantException(field + " must be longer than zero, was '" + value + "'");
    }
    return value;
  }
}
