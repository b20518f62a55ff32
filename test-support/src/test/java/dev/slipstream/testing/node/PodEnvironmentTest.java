package dev.slipstream.testing.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Kubernetes' {@code $(VAR)} expansion in env values, command and args. */
class PodEnvironmentTest {

  private final Map<String, String> env = Map.of("POD_IP", "10.244.1.2", "NAME", "web-1");

  @Test
  void aDefinedVariableIsReplaced() {
    assertThat(PodEnvironment.expand("-b $(POD_IP) -n $(NAME)", env)).isEqualTo("-b 10.244.1.2 -n web-1");
  }

  @Test
  void anUndefinedOneStaysAsWritten() {
    assertThat(PodEnvironment.expand("$(MISSING) and $(POD_IP", env)).isEqualTo("$(MISSING) and $(POD_IP");
  }

  @Test
  void aDoubledDollarIsOneDollar() {
    assertThat(PodEnvironment.expand("$$(POD_IP) costs $$5", env)).isEqualTo("$(POD_IP) costs $5");
  }
}
