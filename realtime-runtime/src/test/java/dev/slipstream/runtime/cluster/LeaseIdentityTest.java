package dev.slipstream.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LeaseIdentityTest {

  @Test
  void theIdentityNamesThePodAndWhereItsRelayListens() {
    ClusterSettings settings = new ClusterSettings("acme", "acme-ns", "acme-runtime-7c9-abcde", "10.1.2.3",
        "acme-runtime-leader", 4001, Duration.ofSeconds(5), Duration.ofSeconds(5));
    String identity = LeaseIdentity.of(settings);

    assertThat(identity).isEqualTo("acme-runtime-7c9-abcde@10.1.2.3:4001");
    assertThat(LeaseIdentity.pod(identity)).isEqualTo("acme-runtime-7c9-abcde");
    assertThat(LeaseIdentity.relayAddress(identity)).contains("10.1.2.3:4001");
  }

  @Test
  void anIpv6RelayAddressSurvivesTheRoundTrip() {
    ClusterSettings settings = new ClusterSettings("acme", "ns", "pod-a", "fd00::12", "lease", 4001,
        Duration.ofSeconds(5), Duration.ofSeconds(5));
    String identity = LeaseIdentity.of(settings);

    assertThat(LeaseIdentity.pod(identity)).isEqualTo("pod-a");
    assertThat(LeaseIdentity.relayAddress(identity)).contains("[fd00::12]:4001");
  }

  @Test
  void anIdentityWrittenByAnythingElseNamesNoRelay() {
    assertThat(LeaseIdentity.pod("someone-else")).isEqualTo("someone-else");
    assertThat(LeaseIdentity.relayAddress("someone-else")).isEmpty();
    assertThat(LeaseIdentity.relayAddress("pod@")).isEmpty();
  }
}
