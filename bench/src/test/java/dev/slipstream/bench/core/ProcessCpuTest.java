package dev.slipstream.bench.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ProcessCpuTest {

  @Test
  void addsUserAndSystemTimeAfterACommandWithSpacesAndParentheses() {
    String stat = "4242 (postgres: walsender (x) 1) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 150 0 0 20 0 1 0 "
        + "12345 1000000 200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
    assertThat(ProcessCpu.parse(stat)).isCloseTo(400 / ProcessCpu.TICKS_PER_SECOND, within(1e-9));
  }

  @Test
  void readsThisProcessAndNaNForOneThatIsGone() {
    assertThat(ProcessCpu.seconds(ProcessHandle.current().pid())).isPositive();
    assertThat(ProcessCpu.seconds(Long.MAX_VALUE)).isNaN();
  }
}
