package dev.slipstream.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.List;
import org.junit.jupiter.api.Test;

class RuntimeRbacTest {

  private final RuntimeModel model = TenantFixtures.acmeModel();

  @Test
  void serviceAccount() {
    var account = model.generateServiceAccount();
    TenantFixtures.assertRuntimeMetadata(account, "acme-runtime");
    assertThat(account.getSecrets()).isNullOrEmpty();
    assertThat(account.getAutomountServiceAccountToken()).isNull();
  }

  @Test
  void roleGrantsOnlyTheTenantsStatusAndItsLease() {
    Role role = model.generateRole();
    TenantFixtures.assertRuntimeMetadata(role, "acme-runtime");
    List<PolicyRule> rules = role.getRules();
    assertThat(rules).hasSize(3);
    assertRule(rules.get(0), "realtime.slipstream.dev", "realtimetenants/status", List.of("acme"), "get", "patch");
    assertRule(rules.get(1), "coordination.k8s.io", "leases", List.of(), "create");
    assertRule(rules.get(2), "coordination.k8s.io", "leases", List.of("acme-runtime-leader"), "get", "update", "patch");
    assertThat(rules).allSatisfy(rule -> {
      assertThat(rule.getVerbs()).doesNotContain("*", "delete", "list", "watch", "deletecollection");
      assertThat(rule.getResources()).doesNotContain("*", "secrets", "realtimetenants");
      assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
    });
  }

  @Test
  void leaseNameIsTheTenantsLeaderLease() {
    assertThat(model.generateRole().getRules().get(2).getResourceNames())
        .containsExactly(model.names().leaderLease());
  }

  @Test
  void roleBindingBindsTheRoleToTheServiceAccount() {
    RoleBinding binding = model.generateRoleBinding();
    TenantFixtures.assertRuntimeMetadata(binding, "acme-runtime");
    assertThat(binding.getRoleRef().getApiGroup()).isEqualTo("rbac.authorization.k8s.io");
    assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
    assertThat(binding.getRoleRef().getName()).isEqualTo(model.generateRole().getMetadata().getName());
    assertThat(binding.getSubjects()).singleElement().satisfies(subject -> {
      assertThat(subject.getKind()).isEqualTo("ServiceAccount");
      assertThat(subject.getName()).isEqualTo(model.generateServiceAccount().getMetadata().getName());
      assertThat(subject.getNamespace()).isEqualTo("acme");
      assertThat(subject.getApiGroup()).isNull();
    });
  }

  private static void assertRule(PolicyRule rule, String group, String resource, List<String> names, String... verbs) {
    assertThat(rule.getApiGroups()).containsExactly(group);
    assertThat(rule.getResources()).containsExactly(resource);
    if (names.isEmpty()) {
      assertThat(rule.getResourceNames()).isNullOrEmpty();
    } else {
      assertThat(rule.getResourceNames()).containsExactlyElementsOf(names);
    }
    assertThat(rule.getVerbs()).containsExactly(verbs);
  }
}
