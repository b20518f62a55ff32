package dev.slipstream.operator.model;

import dev.slipstream.api.v1alpha1.LimitsSpec;
import dev.slipstream.api.v1alpha1.Patterns;
import dev.slipstream.runtime.config.RuntimeConfig;
import dev.slipstream.runtime.config.Setting;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * {@code spec.limits} with the defaults applied (the runtime's, from {@link RuntimeConfig}, which are the CRD's)
 * and quantities turned into plain byte counts, which is what the runtime's configuration holds (it would also
 * parse {@code 1Mi}, but not every quantity Kubernetes accepts, such as {@code 1M} or {@code 1.5Mi}). Durations
 * stay as the CRD writes them ({@code 60s}), checked against the CRD's duration pattern and the runtime's parser.
 *
 * <p>Every value is checked again here, naming the field: a tenant stored by an API server that
 * predates the schema's rules reaches the operator unvalidated.
 */
record RuntimeLimits(
    long clientBufferBytes,
    int maxPayloadBytes,
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
    int maxPresencePayloadBytes,
    int maxPresencesPerClient,
    String handshakeTimeout,
    String joinTimeout,
    String idleTimeout) {

  private static final Pattern DURATION = Pattern.compile(Patterns.DURATION);

  static RuntimeLimits from(LimitsSpec spec) {
    LimitsSpec limits = spec == null ? new LimitsSpec() : spec;
    int maxBindingsPerChannel = positive(limits.getMaxBindingsPerChannel(), RuntimeConfig.MAX_BINDINGS_PER_CHANNEL,
        "spec.limits.maxBindingsPerChannel");
    int maxBindingsPerClient = positive(limits.getMaxBindingsPerClient(), RuntimeConfig.MAX_BINDINGS_PER_CLIENT,
        "spec.limits.maxBindingsPerClient");
    // The CRD's rule on spec.limits, for API servers that did not check it.
    if (maxBindingsPerChannel > maxBindingsPerClient) {
      throw new InvalidTenantException("spec.limits.maxBindingsPerChannel must not exceed "
          + "spec.limits.maxBindingsPerClient, was " + maxBindingsPerChannel + " > " + maxBindingsPerClient);
    }
    return new RuntimeLimits(
        bytes(limits.getClientBufferBytes(), defaultOf(RuntimeConfig.CLIENT_BUFFER_BYTES),
            "spec.limits.clientBufferBytes"),
        // The runtime hands the payload limit to Netty's WebSocket decoder, which takes an int.
        intBytes(limits.getMaxPayloadBytes(), defaultOf(RuntimeConfig.MAX_PAYLOAD_BYTES),
            "spec.limits.maxPayloadBytes"),
        positive(limits.getMaxClients(), RuntimeConfig.MAX_CLIENTS, "spec.limits.maxClients"),
        positive(limits.getMaxEventsPerSecond(), RuntimeConfig.MAX_EVENTS_PER_SECOND, "spec.limits.maxEventsPerSecond"),
        positive(limits.getMaxChannelsPerClient(), RuntimeConfig.MAX_CHANNELS_PER_CLIENT,
            "spec.limits.maxChannelsPerClient"),
        positive(limits.getMaxJoinsPerSecond(), RuntimeConfig.MAX_JOINS_PER_SECOND, "spec.limits.maxJoinsPerSecond"),
        positive(limits.getMaxEventsPerSecondPerClient(), RuntimeConfig.MAX_EVENTS_PER_SECOND_PER_CLIENT,
            "spec.limits.maxEventsPerSecondPerClient"),
        positive(limits.getMaxJoinsPerSecondPerClient(), RuntimeConfig.MAX_JOINS_PER_SECOND_PER_CLIENT,
            "spec.limits.maxJoinsPerSecondPerClient"),
        // Kept to an int, as the payload limit is.
        intBytes(limits.getClientInboundBytesPerSecond(), defaultOf(RuntimeConfig.CLIENT_INBOUND_BYTES_PER_SECOND),
            "spec.limits.clientInboundBytesPerSecond"),
        maxBindingsPerChannel,
        maxBindingsPerClient,
        positive(limits.getMaxFilterLength(), RuntimeConfig.MAX_FILTER_LENGTH, "spec.limits.maxFilterLength"),
        positive(limits.getMaxFilterValues(), RuntimeConfig.MAX_FILTER_VALUES, "spec.limits.maxFilterValues"),
        positive(limits.getMaxTopicLength(), RuntimeConfig.MAX_TOPIC_LENGTH, "spec.limits.maxTopicLength"),
        intBytes(limits.getMaxPresencePayloadBytes(), defaultOf(RuntimeConfig.MAX_PRESENCE_PAYLOAD_BYTES),
            "spec.limits.maxPresencePayloadBytes"),
        positive(limits.getMaxPresencesPerClient(), RuntimeConfig.MAX_PRESENCES_PER_CLIENT,
            "spec.limits.maxPresencesPerClient"),
        duration(limits.getHandshakeTimeout(), RuntimeConfig.HANDSHAKE_TIMEOUT, "spec.limits.handshakeTimeout"),
        duration(limits.getJoinTimeout(), RuntimeConfig.JOIN_TIMEOUT, "spec.limits.joinTimeout"),
        duration(limits.getIdleTimeout(), RuntimeConfig.IDLE_TIMEOUT, "spec.limits.idleTimeout"));
  }

  /** The runtime's default, which is the CRD's: what an unset field means. */
  private static <T> T defaultOf(Setting<T> setting) {
    return setting.defaultValue().orElseThrow();
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
  private static int intBytes(Quantity quantity, long fallback, String field) {
    long bytes = bytes(quantity, fallback, field);
    if (bytes > Integer.MAX_VALUE) {
      throw new InvalidTenantException(field + " must be at most " + Integer.MAX_VALUE
          + " bytes (2Gi - 1), was " + bytes);
    }
    return (int) bytes;
  }

  private static int positive(Integer value, Setting<Integer> setting, String field) {
    if (value == null) {
      return defaultOf(setting);
    }
    if (value < 1) {
      throw new InvalidTenantException(field + " must be at least 1, was " + value);
    }
    return value;
  }

  /**
   * The CRD's duration as written ({@code 60s}, {@code 1m30s}, {@code 500ms}), which the runtime parses; unset, the
   * default as the contract writes it.
   */
  private static String duration(String value, Setting<Duration> setting, String field) {
    if (value == null) {
      return setting.documentedDefault().orElseThrow();
    }
    if (!DURATION.matcher(value).matches()) {
      throw new InvalidTenantException(field + " must be a duration such as 10s, 1m or 1m30s, was '" + value + "'");
    }
    if (value.chars().noneMatch(c -> c >= '1' && c <= '9')) {
      throw new InvalidTenantException(field + " must be longer than zero, was '" + value + "'");
    }
    try {
      setting.parse(value);
    } catch (IllegalArgumentException e) {
      // The runtime counts whole milliseconds: 0.1ms passes the CRD's rules but would stop the runtime.
      throw new InvalidTenantException(field + " must be at least 1ms, was '" + value + "'");
    }
    return value;
  }
}
