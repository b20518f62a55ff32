package dev.slipstream.operator.tenant.dependent;

import java.util.Objects;

/**
 * What a read-only step of the tenant's workflow resolved from Kubernetes: a value, or why there is
 * none, as the reason and message of the condition that reports it (a missing Secret: SecretNotFound
 * and the Secret's name). Only someone creating or fixing the input can help, so it is reported and
 * looked at again at the next recheck, not thrown and retried with backoff.
 *
 * @param value what was resolved, or null
 * @param reason why there is no value (null when there is)
 * @param message what is missing and where it is referred to (null when there is a value)
 */
public record Resolved<T>(T value, String reason, String message) {

  public static <T> Resolved<T> of(T value) {
    return new Resolved<>(Objects.requireNonNull(value, "value"), null, null);
  }

  public static <T> Resolved<T> missing(String reason, String message) {
    return new Resolved<>(null, Objects.requireNonNull(reason, "reason"), message);
  }

  public boolean found() {
    return value != null;
  }
}
