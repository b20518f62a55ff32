package dev.slipstream.operator.reconcile;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The Secrets tenants name (their credentials, their CA) and the relay keys the operator makes,
 * each read from the API server at most once per {@code maxAge} (the recheck interval, paced to the
 * tenants' number: {@link RecheckPace}) rather than once per round: a new tenant's rounds, and its
 * publications', read one copy, even when a thousand new tenants queue its rounds minutes apart. Secrets are not
 * watched (a watch would hold every Secret of the watched namespaces in memory), so a changed Secret
 * was always seen at the next round that read it; now at the first round after its copy here is
 * {@code maxAge} old, and at once after a round that could not use it: the reconcilers
 * {@link #forget} a Secret when the database refused what it held, or the round failed. A Secret
 * not found is never kept: the round that finds it missing looks again next time.
 *
 * <p>Bounded: expired copies are dropped once per {@code maxAge}, so a deleted tenant's go too.
 */
public final class SecretCache {

  private record Copy(Secret secret, Instant readAt) {
  }

  private final Map<String, Copy> copies = new ConcurrentHashMap<>();
  private final Supplier<Duration> maxAge;
  private final Clock clock;
  private volatile Instant purgedAt;

  public SecretCache(Duration maxAge) {
    this(() -> maxAge);
  }

  /** @param maxAge how old a copy may be, asked at each read ({@link RecheckPace#interval}) */
  public SecretCache(Supplier<Duration> maxAge) {
    this(maxAge, Clock.systemUTC());
  }

  SecretCache(Supplier<Duration> maxAge, Clock clock) {
    this.maxAge = maxAge;
    this.clock = clock;
    this.purgedAt = clock.instant();
  }

  /**
   * The Secret, from a copy younger than {@code maxAge} or from the API server.
   *
   * @throws MissingInputException (SecretNotFound) naming {@code field}
   */
  public Secret read(KubernetesClient client, String namespace, String name, String field) {
    Secret secret = cached(namespace, name);
    if (secret == null) {
      secret = TenantReferences.secret(client, namespace, name, field);
      keep(secret);
    }
    return secret;
  }

  /** A copy younger than {@code maxAge}, or null. */
  public Secret cached(String namespace, String name) {
    Instant now = clock.instant();
    purgeIfDue(now);
    Copy copy = copies.get(key(namespace, name));
    return copy == null || !copy.readAt().plus(maxAge.get()).isAfter(now) ? null : copy.secret();
  }

  /** Keeps a Secret just read or written. */
  public void keep(Secret secret) {
    copies.put(key(secret.getMetadata().getNamespace(), secret.getMetadata().getName()),
        new Copy(secret, clock.instant()));
  }

  /** Drops the copy: the next read asks the API server. */
  public void forget(String namespace, String name) {
    copies.remove(key(namespace, name));
  }

  int size() {
    return copies.size();
  }

  private void purgeIfDue(Instant now) {
    Duration age = maxAge.get();
    if (purgedAt.plus(age).isBefore(now)) {
      purgedAt = now;
      copies.values().removeIf(copy -> !copy.readAt().plus(age).isAfter(now));
    }
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }
}
