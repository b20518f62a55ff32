package dev.slipstream.operator.tenant.dependent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AppliedStateTest {

  private final KubernetesSerialization serialization = new KubernetesSerialization();

  @Test
  void theDigestDependsOnTheContentNotOnTheOrderOfKeys() {
    Map<String, String> ab = new LinkedHashMap<>();
    ab.put("a", "1");
    ab.put("b", "2");
    Map<String, String> ba = new LinkedHashMap<>();
    ba.put("b", "2");
    ba.put("a", "1");
    String first = digest(AppliedState.stamp(configMap(ab), serialization));
    assertThat(digest(AppliedState.stamp(configMap(ba), serialization))).isEqualTo(first);
    assertThat(digest(AppliedState.stamp(configMap(Map.of("a", "1")), serialization)))
        .as("a key removed").isNotEqualTo(first);
    ConfigMap stampedTwice = AppliedState.stamp(AppliedState.stamp(configMap(ab), serialization), serialization);
    assertThat(digest(stampedTwice)).as("the digest leaves itself out").isEqualTo(first);
  }

  @Test
  void matchesWhatTheServerAddsButNotWhatItChanges() {
    ConfigMap desired = AppliedState.stamp(configMap(Map.of("a", "1")), serialization);
    ConfigMap actual = AppliedState.stamp(configMap(Map.of("a", "1")), serialization);
    actual.getMetadata().setUid("u-1");
    actual.getMetadata().setResourceVersion("7");
    actual.getMetadata().getAnnotations().put("someone/else", "x");
    assertThat(AppliedState.matches(actual, desired, serialization)).isTrue();

    actual.getData().put("a", "2");
    assertThat(AppliedState.matches(actual, desired, serialization)).as("a value edited").isFalse();

    ConfigMap unstamped = configMap(Map.of("a", "1"));
    assertThat(AppliedState.matches(unstamped, desired, serialization)).as("applied before digests").isFalse();
  }

  @Test
  void holdsComparesMapsByKeyListsItemByItemQuantitiesByAmount() {
    assertThat(AppliedState.holds(Map.of("a", 1, "b", 2), Map.of("a", 1), false)).isTrue();
    assertThat(AppliedState.holds(Map.of("b", 2), Map.of("a", 1), false)).isFalse();
    assertThat(AppliedState.holds(List.of(Map.of("a", 1, "x", 0)), List.of(Map.of("a", 1)), false)).isTrue();
    assertThat(AppliedState.holds(List.of(1, 2), List.of(1), false)).as("an item too many").isFalse();
    assertThat(AppliedState.holds(List.of(2, 1), List.of(1, 2), false)).as("order").isFalse();
    assertThat(AppliedState.holds(null, Map.of(), false)).as("an empty map is none").isTrue();
    assertThat(AppliedState.holds(null, List.of(), false)).as("an empty list is none").isTrue();
    assertThat(AppliedState.holds(30, 30L, false)).isTrue();
    assertThat(AppliedState.holds("500m", "0.5", true)).isTrue();
    assertThat(AppliedState.holds("1Gi", "1024Mi", true)).isTrue();
    assertThat(AppliedState.holds("1Gi", "1000Mi", true)).isFalse();
    assertThat(AppliedState.holds("500m", "0.5", false)).as("only under resources").isFalse();
    assertThat(AppliedState.holds(Map.of("resources", Map.of("limits", Map.of("cpu", "500m"))),
        Map.of("resources", Map.of("limits", Map.of("cpu", "0.5"))), false)).isTrue();
  }

  private static ConfigMap configMap(Map<String, String> data) {
    return new ConfigMapBuilder().withNewMetadata().withName("c").withNamespace("n").endMetadata()
        .withData(new LinkedHashMap<>(data)).build();
  }

  private static String digest(ConfigMap configMap) {
    return configMap.getMetadata().getAnnotations().get(AppliedState.DIGEST_ANNOTATION);
  }
}
