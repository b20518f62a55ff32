package dev.slipstream.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PromQueryTest {

  @Test
  void findsTheMetricItsMatchersAndGroupingInsideFunctionsAndAggregations() {
    PromQuery query = PromQuery.parse(
        "sum by (namespace, tenant) (rate(slipstream_events_out_total{namespace=~\"$namespace\", tenant=~\"a,b\"}[$__rate_interval]))");
    assertThat(query.metrics()).isEqualTo(Map.of("slipstream_events_out_total", Set.of("namespace", "tenant")));
    assertThat(query.grouping()).containsExactly("namespace", "tenant");
  }

  @Test
  void findsBareMetricsOnBothSidesOfAnOperator() {
    PromQuery query = PromQuery.parse("max without (pod) (a_bytes) / on (tenant) group_left b_total offset 5m > 0.5");
    assertThat(query.metrics()).containsOnlyKeys("a_bytes", "b_total");
    assertThat(query.grouping()).containsExactly("pod", "tenant");
  }

  @Test
  void readsGrafanaLabelValuesQueries() {
    assertThat(PromQuery.parse("label_values(slipstream_clients{namespace=~\"$namespace\"}, tenant)").metrics())
        .isEqualTo(Map.of("slipstream_clients", Set.of("namespace", "tenant")));
    assertThat(PromQuery.parse("label_values(slipstream_clients, namespace)").metrics())
        .isEqualTo(Map.of("slipstream_clients", Set.of("namespace")));
  }

  @Test
  void refusesASelectorWithoutAMetricName() {
    assertThatThrownBy(() -> PromQuery.parse("sum({__name__=~\"slipstream_.*\"})"))
        .hasMessageContaining("without a metric name");
  }
}
