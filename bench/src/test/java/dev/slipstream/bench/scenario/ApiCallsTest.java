package dev.slipstream.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiCallsTest {

  @Test
  void namesTheVerbAndTheResource() {
    assertThat(ApiCalls.key("GET", "/api/v1/namespaces/scale/secrets/t1-db", null)).isEqualTo("GET secrets");
    assertThat(ApiCalls.key("POST", "/api/v1/namespaces/scale/events", null)).isEqualTo("POST events");
    assertThat(ApiCalls.key("PATCH", "/apis/realtime.slipstream.dev/v1alpha1/namespaces/scale/realtimetenants/t1/status",
        "fieldManager=x&force=true")).isEqualTo("PATCH realtimetenants/status (x)");
    assertThat(ApiCalls.key("GET", "/apis/apps/v1/namespaces/scale/deployments", "labelSelector=a&watch=true"))
        .isEqualTo("WATCH deployments");
    assertThat(ApiCalls.key("GET", "/apis/apps/v1/deployments", "labelSelector=a")).isEqualTo("LIST deployments");
  }

  @Test
  void perUnitPutsTheLargestFirst() {
    assertThat(ApiCalls.perUnit(Map.of("GET secrets", 20L, "POST events", 40L), 10))
        .isEqualTo("6.0 in all: POST events 4.00, GET secrets 2.00");
  }
}
