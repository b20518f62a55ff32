package dev.slipstream.operator.model;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Labels of a tenant's runtime objects and the selector of its pods. */
public final class RuntimeLabels {

  public static final String NAME = "app.kubernetes.io/name";
  public static final String INSTANCE = "app.kubernetes.io/instance";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String TENANT = RealtimeTenant.GROUP + "/tenant";

  public static final String RUNTIME_APP = "slipstream-runtime";
  public static final String OPERATOR = "slipstream-operator";

  private RuntimeLabels() {
  }

  /**
   * Labels on every object the operator builds for the tenant's runtime, and on its pods. A new
   * mutable map in a fixed order each time, so callers may add to it and the YAML reads the same.
   */
  public static Map<String, String> of(String tenant) {
    Map<String, String> labels = selector(tenant);
    labels.put(MANAGED_BY, OPERATOR);
    labels.put(TENANT, tenant);
    return labels;
  }

  /**
   * The pods' selector, used by the Deployment, the Services and the PodDisruptionBudget. A
   * Deployment's selector is immutable, so it holds only the two labels that can never change.
   */
  public static Map<String, String> selector(String tenant) {
    Map<String, String> selector = new LinkedHashMap<>();
    selector.put(NAME, RUNTIME_APP);
    selector.put(INSTANCE, tenant);
    return selector;
  }

  /**
   * The pods' selector as a string ({@code app.kubernetes.io/name=slipstream-runtime,app.kubernetes.io/instance=acme}):
   * {@code status.runtime.selector}, which the tenant's scale subresource hands to a HorizontalPodAutoscaler.
   */
  public static String selectorString(String tenant) {
    StringBuilder text = new StringBuilder();
    selector(tenant).forEach((key, value) -> text.append(text.isEmpty() ? "" : ",").append(key).append('=').append(value));
    return text.toString();
  }

  /**
   * What every runtime object and pod of every tenant carries: what the operator's watches select
   * (a constant, for the dependents' {@code @Informer(labelSelector)}).
   */
  public static final String EVERY_RUNTIME = NAME + "=" + RUNTIME_APP + "," + MANAGED_BY + "=" + OPERATOR;

  /** {@link #EVERY_RUNTIME}. */
  public static String everyRuntime() {
    return EVERY_RUNTIME;
  }
}
