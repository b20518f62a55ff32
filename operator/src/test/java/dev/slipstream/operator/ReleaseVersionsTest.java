package dev.slipstream.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.slipstream.operator.config.OperatorConfig;
import dev.slipstream.testing.RepositoryLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/**
 * The names and versions a release must agree on (docs/images.md, "Tags"): one version X.Y.Z for the
 * chart ({@code version} and {@code appVersion}), the images' tags and the Maven build of the tagged
 * commit (X.Y.Z-SNAPSHOT between releases); one name per image for its distribution, its target in
 * {@code distribution/Dockerfile}, the release workflow's list and the chart's value. The release
 * workflow runs this class with {@code -Dslipstream.release.tag=<the git tag>} before it pushes
 * anything.
 */
class ReleaseVersionsTest {

  /** Each image: the module whose distribution it holds. */
  private static final Map<String, String> IMAGES = Map.of(
      "slipstream-operator", "operator",
      "slipstream-runtime", "realtime-runtime");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final Path root = RepositoryLayout.root();

  @Test
  void theMavenVersionIsTheChartsAppVersionOrItsSnapshot() throws Exception {
    String appVersion = chart().path("appVersion").asText();
    assertThat(appVersion).as("Chart.yaml appVersion").matches("\\d+\\.\\d+\\.\\d+");
    assertThat(mavenVersion()).as("the Maven version (pom.xml) against Chart.yaml's appVersion %s", appVersion)
        .isIn(appVersion, appVersion + "-SNAPSHOT");
  }

  @Test
  void theChartIsReleasedWithItsApplication() throws Exception {
    JsonNode chart = chart();
    assertThat(chart.path("version").asText()).as("Chart.yaml version: the chart is released with the images")
        .isEqualTo(chart.path("appVersion").asText());
  }

  @Test
  void theOperatorsDefaultRuntimeImageIsTaggedWithTheAppVersion() throws Exception {
    assertThat(OperatorConfig.DEFAULT_RUNTIME_IMAGE)
        .isEqualTo("slipstream-runtime:" + chart().path("appVersion").asText());
  }

  @Test
  void theChartsImagesAreTheReleasedOnesTaggedByTheAppVersion() throws Exception {
    JsonNode values = YAML.readTree(root.resolve("charts/slipstream/values.yaml").toFile());
    Map<String, JsonNode> images = Map.of(
        "slipstream-operator", values.path("operator").path("image"),
        "slipstream-runtime", values.path("runtime").path("image"));
    images.forEach((name, image) -> {
      String repository = image.path("repository").asText();
      assertThat(repository.substring(repository.lastIndexOf('/') + 1)).as("the chart's repository of " + name)
          .isEqualTo(name);
      assertThat(image.path("tag").asText()).as("the chart's tag of " + name + ": empty, so the appVersion")
          .isEmpty();
    });
  }

  @Test
  void theReleaseBuildsEachImageFromItsDistributionStartedByItsScript() throws Exception {
    JsonNode workflow = YAML.readTree(root.resolve(".github/workflows/release.yml").toFile());
    assertThat(Arrays.asList(workflow.path("env").path("IMAGES").asText().split(" ")))
        .as("the release workflow's IMAGES").containsExactlyInAnyOrderElementsOf(IMAGES.keySet());
    assertThat(workflow.path("env").path("PLATFORMS").asText()).isEqualTo("linux/amd64,linux/arm64");

    Map<String, List<String>> stages = dockerfileStages();
    IMAGES.forEach((name, module) -> {
      assertThat(distributionName(module)).as("dist.name of " + module + "/pom.xml").isEqualTo(name);
      String home = "/opt/" + name;
      assertThat(stages.get(name)).as("the Dockerfile's target " + name).isNotNull().containsSubsequence(
          "COPY --chown=0:0 " + module + "/target/" + name + "/ " + home + "/",
          "WORKDIR " + home,
          "ENTRYPOINT [\"" + home + "/bin/" + name + "\"]");
      assertThat(stages.get(name)).noneMatch(line -> line.startsWith("CMD") || line.startsWith("USER"));
    });
    assertThat(stages.get("base")).as("the user of every image").contains("USER 65532:65532", "ENV HOME=/tmp");
  }

  /** Runs in the release workflow, with the tag that started it. */
  @Test
  void theReleaseTagIsTheAppVersionAndTheMavenVersionIsNoSnapshot() throws Exception {
    String tag = System.getProperty("slipstream.release.tag");
    if (tag == null || tag.isBlank()) {
      String reason = "ReleaseVersionsTest: the release tag check skipped, not a release build "
          + "(.github/workflows/release.yml runs it with -Dslipstream.release.tag=<tag>)";
      System.out.println(reason); // Surefire's console shows only a count of skipped tests
      Assumptions.abort(reason);
    }
    String appVersion = chart().path("appVersion").asText();
    assertThat(tag).as("the release tag against Chart.yaml's appVersion").isEqualTo("v" + appVersion);
    assertThat(mavenVersion()).as("the Maven version of the tagged commit (pom.xml)").isEqualTo(appVersion);
  }

  private JsonNode chart() throws IOException {
    return YAML.readTree(root.resolve("charts/slipstream/Chart.yaml").toFile());
  }

  private String mavenVersion() throws Exception {
    return childText(pom(root.resolve("pom.xml")), "version");
  }

  private String distributionName(String module) {
    try {
      Element properties = (Element) pom(root.resolve(module).resolve("pom.xml")).getElementsByTagName("properties")
          .item(0);
      return childText(properties, "dist.name");
    } catch (Exception e) {
      throw new IllegalStateException("cannot read " + module + "/pom.xml", e);
    }
  }

  private static Element pom(Path file) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile()).getDocumentElement();
  }

  private static String childText(Element parent, String name) {
    for (var node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
      if (node instanceof Element element && element.getTagName().equals(name)) {
        return element.getTextContent().trim();
      }
    }
    throw new IllegalStateException("no <" + name + "> in <" + parent.getTagName() + ">");
  }

  /** The Dockerfile's instructions (comments and continuations aside), by stage name. */
  private Map<String, List<String>> dockerfileStages() throws IOException {
    Map<String, List<String>> stages = new LinkedHashMap<>();
    List<String> current = null;
    for (String line : Files.readAllLines(root.resolve("distribution/Dockerfile"))) {
      String instruction = line.strip();
      if (instruction.isEmpty() || instruction.startsWith("#")) {
        continue;
      }
      if (instruction.startsWith("FROM ")) {
        String[] words = instruction.split("\\s+");
        current = new java.util.ArrayList<>();
        stages.put(words[words.length - 1], current);
      } else if (current != null) {
        current.add(instruction);
      }
    }
    return stages;
  }
}
