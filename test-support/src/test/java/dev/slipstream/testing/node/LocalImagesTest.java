package dev.slipstream.testing.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LocalImagesTest {

  private final LocalImage runtime = LocalImage.command(List.of("runtime")).listeningOn("SLIPSTREAM_HOST");
  private final LocalImages images = new LocalImages().with("slipstream-runtime", runtime);

  @Test
  void anImageMatchesByItsRepositoryWithoutTagOrDigest() {
    assertThat(images.resolve("slipstream-runtime:0.1.0")).contains(runtime);
    assertThat(images.resolve("slipstream-runtime")).contains(runtime);
    assertThat(images.resolve("slipstream-runtime@sha256:0123")).contains(runtime);
  }

  @Test
  void aRegistrysNameMatchesByItsLastPathSegment() {
    assertThat(images.resolve("registry.example:5000/team/slipstream-runtime:1.2.3")).contains(runtime);
    assertThat(images.resolve("registry.example:5000/team/other:1.2.3")).isEmpty();
  }

  @Test
  void aWholeRepositoryWinsOverTheLastSegment() {
    LocalImage mine = LocalImage.command(List.of("mine"));
    images.with("registry.example/slipstream-runtime", mine);
    assertThat(images.resolve("registry.example/slipstream-runtime:1")).contains(mine);
    assertThat(images.resolve("elsewhere/slipstream-runtime:1")).contains(runtime);
  }

  @Test
  void theRepositoryOfAnImageKeepsARegistryPort() {
    assertThat(LocalImages.repository("localhost:5000/app")).isEqualTo("localhost:5000/app");
    assertThat(LocalImages.repository("localhost:5000/app:7")).isEqualTo("localhost:5000/app");
  }
}
