package dev.slipstream.runtime.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipstream.api.v1alpha1.RuntimePodStatus;
import org.junit.jupiter.api.Test;

class StatusPatchesTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void theFieldManagerIsThePodsOwn() {
    assertThat(new StatusPatches("ns", "acme", "acme-runtime-7c9-abcde").fieldManager())
        .isEqualTo("slipstream-runtime-acme-runtime-7c9-abcde");
  }

  @Test
  void aLongPodNameGetsAShortenedButStableAndDistinctManager() {
    String base = "a".repeat(200);
    String one = new StatusPatches("ns", "t", base + "-one").fieldManager();
    String two = new StatusPatches("ns", "t", base + "-two").fieldManager();

    assertThat(one).hasSizeLessThanOrEqualTo(128).startsWith("slipstream-runtime-aaaa")
        .isEqualTo(new StatusPatches("other-ns", "t", base + "-one").fieldManager());
    assertThat(two).hasSizeLessThanOrEqualTo(128).isNotEqualTo(one);
    String exactlyFits = "b".repeat(128 - "slipstream-runtime-".length());
    assertThat(new StatusPatches("ns", "t", exactlyFits).fieldManager()).isEqualTo("slipstream-runtime-" + exactlyFits);
  }

  @Test
  void theBodyHoldsTheTenantsIdentityAndThisPodsEntryOnly() throws Exception {
    RuntimePodStatus entry = new RuntimePodStatus();
    entry.setClients(12L);
    entry.setRole("Leader");
    entry.setReportedAt("2026-01-01T00:00:00Z");

    JsonNode body = JSON.readTree(new StatusPatches("acme-ns", "acme", "acme-runtime-a").withEntry(entry));

    assertThat(body.fieldNames()).toIterable().containsExactly("apiVersion", "kind", "metadata", "status");
    assertThat(body.path("apiVersion").asText()).isEqualTo("realtime.slipstream.dev/v1alpha1");
    assertThat(body.path("kind").asText()).isEqualTo("RealtimeTenant");
    assertThat(body.path("metadata").toString()).isEqualTo("{\"name\":\"acme\",\"namespace\":\"acme-ns\"}");
    assertThat(body.path("status")).isEqualTo(JSON.readTree("""
        {"runtime": {"pods": [{"name": "acme-runtime-a", "clients": 12, "role": "Leader",
                               "reportedAt": "2026-01-01T00:00:00Z"}]}}"""));
  }

  @Test
  void theRemovalBodyHoldsNothingForThePodsManagerToOwn() throws Exception {
    JsonNode body = JSON.readTree(new StatusPatches("acme-ns", "acme", "acme-runtime-a").withoutEntry());

    assertThat(body.has("status")).isFalse();
    assertThat(body.path("metadata").path("name").asText()).isEqualTo("acme");
  }
}
