package dev.slipstream.operator.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.ReplicationSpec;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SlotNamesTest {

  private static final String HASH_SUFFIX = "__[0-9a-f]{8}$";

  @ParameterizedTest
  @CsvSource({
      "acme, acme, slipstream_acme_acme",
      "acme, acme-prod, slipstream_acme_acme_prod",
      "team7, orders-eu-1, slipstream_team7_orders_eu_1",
      "0ns, 1name, slipstream_0ns_1name",
  })
  void readableWhenTheNamesEncodeLosslessly(String namespace, String name, String expected) {
    assertThat(SlotNames.derive(namespace, name)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({
      "team-a, acme, slipstream_team_a_acme",   // a dash in the namespace would blur where it ends
      "acme, acme.prod, slipstream_acme_acme_prod", // a dot and a dash would both become '_'
      "acme, acme--prod, slipstream_acme_acme__prod", // '--' would read as the hash separator
      "Acme, acme, slipstream_acme_acme",       // not a Kubernetes name, but still a valid slot
  })
  void hashedWhenSanitizingLosesInformation(String namespace, String name, String readablePrefix) {
    String slot = SlotNames.derive(namespace, name);
    assertThat(slot).startsWith(readablePrefix + "__").matches(".*" + HASH_SUFFIX);
    assertThat(slot).hasSize(readablePrefix.length() + 10);
    assertThat(SlotNames.isValid(slot)).isTrue();
  }

  @Test
  void namesThatSanitizeAlikeStayApart() {
    assertThat(SlotNames.derive("a-b", "c")).isNotEqualTo(SlotNames.derive("a", "b-c"));
    assertThat(SlotNames.derive("a", "b.c")).isNotEqualTo(SlotNames.derive("a", "b-c"));
    assertThat(SlotNames.derive("a", "b--c")).isNotEqualTo(SlotNames.derive("a", "b-c"));
    assertThat(SlotNames.derive("a", "b-c")).isEqualTo("slipstream_a_b_c");
  }

  @Test
  void longNamesAreTruncatedTo63BytesWithAStableHash() {
    String namespace = "n".repeat(63);
    String name = "tenant-" + "x".repeat(200);
    String slot = SlotNames.derive(namespace, name);
    assertThat(slot).hasSize(63).startsWith("slipstream_nnnn").matches(".*" + HASH_SUFFIX);
    assertThat(SlotNames.derive(namespace, name)).isEqualTo(slot);
    assertThat(SlotNames.derive(namespace, name + "y")).isNotEqualTo(slot).hasSize(63);
  }

  @Test
  void longestReadableNameIsKeptAndOneMoreCharacterIsHashed() {
    String exactly63 = "slipstream_acme_" + "a".repeat(63 - 16);
    assertThat(SlotNames.derive("acme", "a".repeat(47))).isEqualTo(exactly63);
    assertThat(SlotNames.derive("acme", "a".repeat(48))).hasSize(63).matches(".*" + HASH_SUFFIX);
  }

  @Test
  void derivedNamesAreValidAndDistinctForManyKubernetesNames() {
    Random random = new Random(20_240_601L);
    Map<String, String> inputBySlot = new HashMap<>();
    for (int i = 0; i < 20_000; i++) {
      String namespace = KubernetesNames.label(random, 1 + random.nextInt(i % 10 == 0 ? 63 : 12));
      String name = KubernetesNames.subdomain(random, 1 + random.nextInt(i % 10 == 0 ? 253 : 20));
      String slot = SlotNames.derive(namespace, name);
      assertThat(slot.getBytes(StandardCharsets.UTF_8).length).as("%s/%s", namespace, name).isLessThanOrEqualTo(63);
      assertThat(SlotNames.isValid(slot)).as("%s from %s/%s", slot, namespace, name).isTrue();
      assertThat(SlotNames.derive(namespace, name)).isEqualTo(slot);
      String input = namespace + "/" + name;
      String previous = inputBySlot.putIfAbsent(slot, input);
      assertThat(previous == null || previous.equals(input)).as("%s from %s and %s", slot, previous, input).isTrue();
    }
  }

  @Test
  void longNamesSharingAPrefixStayDistinct() {
    Map<String, Integer> indexBySlot = new HashMap<>();
    String prefix = "shared-prefix-".repeat(10);
    for (int i = 0; i < 2_000; i++) {
      String slot = SlotNames.derive("acme", prefix + i);
      assertThat(indexBySlot.put(slot, i)).as(slot).isNull();
    }
  }

  @Test
  void anyCharactersGiveAValidSlot() {
    for (String name : new String[] {"ÄÖÜ", "with space", "under_score", "UPPER", "🚀rocket", "$dollar"}) {
      assertThat(SlotNames.isValid(SlotNames.derive("acme", name))).as(name).isTrue();
    }
  }

  @Test
  void refusesEmptyInput() {
    assertThatThrownBy(() -> SlotNames.derive("", "acme")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SlotNames.derive("acme", null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void tenantsSlotIsTheSpecifiedOneOrTheDerivedOne() {
    RealtimeTenant tenant = TenantFixtures.minimal("shop", "orders");
    assertThat(SlotNames.forTenant(tenant)).isEqualTo("slipstream_shop_orders");
    ReplicationSpec replication = new ReplicationSpec();
    replication.setSlotName("my_slot");
    tenant.getSpec().setReplication(replication);
    assertThat(SlotNames.forTenant(tenant)).isEqualTo("my_slot");
    assertThat(SlotNames.forTenant(TenantFixtures.acmeExample())).isEqualTo("slipstream_acme");
  }

  @Test
  void validity() {
    assertThat(SlotNames.isValid("slipstream_acme")).isTrue();
    assertThat(SlotNames.isValid("a".repeat(63))).isTrue();
    assertThat(SlotNames.isValid("a".repeat(64))).isFalse();
    assertThat(SlotNames.isValid("Slot")).isFalse();
    assertThat(SlotNames.isValid("slot-1")).isFalse();
    assertThat(SlotNames.isValid("")).isFalse();
    assertThat(SlotNames.isValid(null)).isFalse();
  }
}
