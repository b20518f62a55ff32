package dev.slipstream.operator.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipstream.api.v1alpha1.RealtimePublication;
import dev.slipstream.api.v1alpha1.RealtimePublicationSpec;
import dev.slipstream.api.v1alpha1.TenantRef;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PublicationNamesTest {

  private static final String HASH_SUFFIX = "__[0-9a-f]{8}$";

  @ParameterizedTest
  @CsvSource({
      "acme, orders, acme_orders",
      "acme, acme-orders, acme_acme_orders",
      "shop2, line-items-v2, shop2_line_items_v2",
      "acme, 2024-orders, acme_2024_orders",
  })
  void readableWhenTheNamesEncodeLosslessly(String tenant, String resource, String expected) {
    assertThat(PublicationNames.derive(tenant, resource)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({
      "acme-prod, orders, acme_prod_orders",
      "acme, orders.v2, acme_orders_v2",
      "acme, orders--v2, acme_orders__v2",
  })
  void hashedWhenSanitizingLosesInformation(String tenant, String resource, String readablePrefix) {
    String publication = PublicationNames.derive(tenant, resource);
    assertThat(publication).startsWith(readablePrefix + "__").hasSize(readablePrefix.length() + 10)
        .matches(".*" + HASH_SUFFIX);
    assertThat(PublicationNames.isValid(publication)).isTrue();
  }

  @Test
  void aTenantStartingWithADigitStillGivesAnIdentifier() {
    String publication = PublicationNames.derive("1st", "orders");
    assertThat(publication).startsWith("_1st_orders__").matches(".*" + HASH_SUFFIX);
    assertThat(PublicationNames.isValid(publication)).isTrue();
    String longOne = PublicationNames.derive("9" + "x".repeat(60), "orders-" + "y".repeat(100));
    assertThat(longOne).hasSize(63).startsWith("_9xxx").matches(".*" + HASH_SUFFIX);
    assertThat(PublicationNames.isValid(longOne)).isTrue();
  }

  @Test
  void namesThatSanitizeAlikeStayApart() {
    assertThat(PublicationNames.derive("a-b", "c")).isNotEqualTo(PublicationNames.derive("a", "b-c"));
    assertThat(PublicationNames.derive("a", "b.c")).isNotEqualTo(PublicationNames.derive("a", "b-c"));
    assertThat(PublicationNames.derive("a", "b--c")).isNotEqualTo(PublicationNames.derive("a", "b-c"));
  }

  @Test
  void longNamesAreTruncatedTo63BytesWithAStableHash() {
    String publication = PublicationNames.derive("acme", "orders-" + "z".repeat(100));
    assertThat(publication).hasSize(63).startsWith("acme_orders_zzz").matches(".*" + HASH_SUFFIX);
    assertThat(PublicationNames.derive("acme", "orders-" + "z".repeat(100))).isEqualTo(publication);
    assertThat(PublicationNames.derive("acme", "a".repeat(58))).hasSize(63).doesNotContain("__");
    assertThat(PublicationNames.derive("acme", "a".repeat(59))).hasSize(63).matches(".*" + HASH_SUFFIX);
  }

  @Test
  void derivedNamesAreValidAndDistinctForManyKubernetesNames() {
    Random random = new Random(7_301L);
    Map<String, String> inputByPublication = new HashMap<>();
    for (int i = 0; i < 20_000; i++) {
      String tenant = KubernetesNames.label(random, 1 + random.nextInt(i % 10 == 0 ? 49 : 10));
      String resource = KubernetesNames.subdomain(random, 1 + random.nextInt(i % 10 == 0 ? 253 : 20));
      String publication = PublicationNames.derive(tenant, resource);
      assertThat(PublicationNames.isValid(publication)).as("%s from %s/%s", publication, tenant, resource).isTrue();
      String input = tenant + "/" + resource;
      String previous = inputByPublication.putIfAbsent(publication, input);
      assertThat(previous == null || previous.equals(input))
          .as("%s from %s and %s", publication, previous, input).isTrue();
    }
  }

  @Test
  void refusesEmptyInput() {
    assertThatThrownBy(() -> PublicationNames.derive(" ", "orders")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PublicationNames.derive("acme", "")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void publicationsNameIsTheSpecifiedOneOrTheDerivedOne() {
    RealtimePublicationSpec spec = new RealtimePublicationSpec();
    spec.setTenantRef(new TenantRef("acme"));
    RealtimePublication publication = new RealtimePublication();
    publication.setMetadata(new ObjectMetaBuilder().withNamespace("acme").withName("acme-orders").build());
    publication.setSpec(spec);
    assertThat(PublicationNames.forPublication(publication)).isEqualTo("acme_acme_orders");
    spec.setPublicationName("acme_orders");
    assertThat(PublicationNames.forPublication(publication)).isEqualTo("acme_orders");
  }

  @Test
  void validity() {
    assertThat(PublicationNames.isValid("acme_orders")).isTrue();
    assertThat(PublicationNames.isValid("_x$1")).isTrue();
    assertThat(PublicationNames.isValid("1acme")).isFalse();
    assertThat(PublicationNames.isValid("acme-orders")).isFalse();
    assertThat(PublicationNames.isValid("a".repeat(64))).isFalse();
    assertThat(PublicationNames.isValid(null)).isFalse();
  }
}
