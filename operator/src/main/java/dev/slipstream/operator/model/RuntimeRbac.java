package dev.slipstream.operator.model;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;

/**
 * The runtime pods' identity and what it may do: write its own tenant's status (each pod applies
 * its {@code status.runtime.pods[]} entry) and take part in the leader election on its tenant's Lease.
 * Nothing else: no Secrets (they arrive as environment variables), no other tenant, no pods.
 */
final class RuntimeRbac {

  static final String RBAC_GROUP = "rbac.authorization.k8s.io";
  static final String COORDINATION_GROUP = "coordination.k8s.io";
  static final String TENANT_STATUS = "realtimetenants/status";

  private RuntimeRbac() {
  }

  static ServiceAccount serviceAccount(RuntimeModel model) {
    return new ServiceAccountBuilder()
        .withMetadata(model.metadata(model.names().runtime()))
        .build();
  }

  static Role role(RuntimeModel model) {
    return new RoleBuilder()
        .withMetadata(model.metadata(model.names().runtime()))
        .withRules(ownTenantStatus(model), createLease(), ownLease(model))
        .build();
  }

  static RoleBinding roleBinding(RuntimeModel model) {
    return new RoleBindingBuilder()
        .withMetadata(model.metadata(model.names().runtime()))
        .withNewRoleRef()
          .withApiGroup(RBAC_GROUP)
          .withKind("Role")
          .withName(model.names().runtime())
        .endRoleRef()
        .addNewSubject()
          .withKind("ServiceAccount")
          .withName(model.names().runtime())
          .withNamespace(model.namespace())
        .endSubject()
        .build();
  }

  /** Server-side apply of the pod's own status entry is a PATCH of the status subresource. */
  private static PolicyRule ownTenantStatus(RuntimeModel model) {
    return new PolicyRuleBuilder()
        .withApiGroups(RealtimeTenant.GROUP)
        .withResources(TENANT_STATUS)
        .withResourceNames(model.tenantName())
        .withVerbs("get", "patch")
        .build();
  }

  /**
   * The first pod creates the Lease. Kubernetes cannot restrict {@code create} by resource name (the
   * name is in the request body, unknown when the request is authorized), so this lets the runtime
   * create any Lease in its namespace; it still cannot read, change or delete any Lease but its own.
   */
  private static PolicyRule createLease() {
    return new PolicyRuleBuilder()
        .withApiGroups(COORDINATION_GROUP)
        .withResources("leases")
        .withVerbs("create")
        .build();
  }

  /**
   * Reading and renewing the tenant's own Lease. {@code patch} besides {@code update}: Fabric8's
   * {@code LeaderElector} (7.5.2, {@code ResourceLock.update}) renews with a JSON merge patch that
   * carries the resourceVersion, while client-go style electors use {@code update}.
   */
  private static PolicyRule ownLease(RuntimeModel model) {
    return new PolicyRuleBuilder()
        .withApiGroups(COORDINATION_GROUP)
        .withResources("leases")
        .withResourceNames(model.names().leaderLease())
        .withVerbs("get", "update", "patch")
        .build();
  }
}
