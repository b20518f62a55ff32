package dev.slipstream.operator.model;

import dev.slipstream.api.v1alpha1.LimitsSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * {@code spec.limits} with the CRD's defaults applied and quantities turned into plain byte
 * counts, which is what the runtime's configuration holds (it would also parse {@code 1Mi}, but not
 * every quantity Kubernetes accepts, such as {@code 1M} or {@code 1.5Mi}).
 */
record RuntimeLimits(
    long clientBufferBytes,
    long maxPayloadBytes,
    int maxClients,
    int maxEventsPerSecond,
    int maxChannelsPerClient,
    int maxJoinsPerSecond) {

  static final long DEFAULT_CLIENT_BUFFER_BYTES = 1L << 20;
  static final long DEFAULT_MAX_PAYLOAD_BYTES = 1L << 20;
  static final int DEFAULT_MAX_CLIENTS = 50_000;
  static final int DEFAULT_MAX_EVENTS_PER_SECOND = 10_000;
  static final int DEFAULT_MAX_CHANNELS_PER_CLIENT = 100;
  static final int DEFAULT_MAX_JOINS_PER_SECOND = 500;

  static RuntimeLimits from(LimitsSpec spec) {
    LimitsSpec limits = spec == null ? new LimitsSpec() : spec;
    long maxPayload = bytes(limits.getMaxPayloadBytes(), DEFAULT_MAX_PAYLOAD_BYTES, "spec.limits.maxPayloadBytes");
    // The runtime hands the payload limit to Netty's WebSocket decoder, which takes an int.
    if (maxPayload > Integer.MAX_VALUE) {
      throw new InvalidTenantException("spec.limits.maxPayloadBytes must be at most " + Integer.MAX_VALUE
          + " bytes (2Gi - 1), was " + maxPayload);
    }
    return new RuntimeLimits(
        bytes(limits.getClientBufferBytes(), DEFAULT_CLIENT_BUFFER_BYTES, "spec.limits.clientBufferBytes"),
        maxPayload,
        positive(limits.getMaxClients(), DEFAULT_MAX_CLIENTS, "spec.limits.maxClients"),
        positive(limits.getMaxEventsPerSecond(), DEFAULT_MAX_EVENTS_PER_SECOND, "spec.limits.maxEventsPerSecond"),
        positive(limits.getMaxChannelsPerClient(), DEFAULT_MAX_CHANNELS_PER_CLIENT, "spec.limits.maxChannelsPerClient"),
        positive(limits.getMaxJoinsPerSecond(), DEFAULT_MAX_JOINS_PER_SECOND, "spec.limits.maxJoinsPerSecond"));
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

  private static int positive(Integer value, int fallback, String field) {
    if (value == null) {
      return fallback;
    }
    if (value < 1) {
      throw new InvalidTenantException(field + " must be at least 1, was " + value);
    }
    return value;
  }
}
