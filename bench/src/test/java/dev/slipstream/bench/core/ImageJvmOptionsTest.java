package dev.slipstream.bench.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageJvmOptionsTest {

  @TempDir
  Path root;

  private void pom(String text) throws Exception {
    Files.createDirectories(root.resolve("realtime-runtime"));
    Files.writeString(root.resolve("realtime-runtime/pom.xml"), text);
  }

  @Test
  void theImagesOptionsThenTheContainersMemoryWithoutWhatEveryChildGetsAnyway() throws Exception {
    pom("<project><properties>\n  <dist.jvm.options>-XX:MaxRAMPercentage=50  -XX:MaxHeapFreeRatio=30 "
        + "--enable-native-access=ALL-UNNAMED</dist.jvm.options>\n</properties></project>");
    assertThat(ImageJvmOptions.of(root, "2g"))
        .containsExactly("-XX:MaxRAMPercentage=50", "-XX:MaxHeapFreeRatio=30", "-XX:MaxRAM=2g");
  }

  @Test
  void thisRepositorysRuntimeImageSizesItsHeapFromTheContainer() {
    // The bench runs from the repository root (bin/bench); Maven runs this test in bench/.
    assertThat(ImageJvmOptions.of(Path.of("..").toAbsolutePath().normalize(), "2g"))
        .anyMatch(o -> o.startsWith("-XX:MaxRAMPercentage=")).noneMatch(o -> o.startsWith("-Xms"))
        .endsWith("-XX:MaxRAM=2g");
  }

  @Test
  void aPomWithoutTheOptionsSaysSo() throws Exception {
    pom("<project/>");
    assertThatIllegalStateException().isThrownBy(() -> ImageJvmOptions.of(root, "2g"))
        .withMessageContaining("dist.jvm.options");
  }
}
