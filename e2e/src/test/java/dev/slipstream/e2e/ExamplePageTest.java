package dev.slipstream.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.slipstream.testing.RepositoryLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * examples/web/index.html is not run by the tests (it loads realtime-js from a CDN), so what can drift
 * is checked here: it loads the realtime-js version the compatibility suite runs, and subscribes to
 * tables the example publications publish.
 */
class ExamplePageTest {

  private static final Path PAGE = RepositoryLayout.examples().resolve("web/index.html");

  @Test
  void loadsTheRealtimeJsVersionTheCompatibilitySuiteRuns() throws IOException {
    String tested = new ObjectMapper().readTree(RepositoryLayout.root()
        .resolve("realtime-runtime/src/test/node/package.json").toFile())
        .path("devDependencies").path("@supabase/realtime-js").asText();
    Matcher imported = Pattern.compile("from 'https://esm\\.sh/@supabase/realtime-js@([^']+)'").matcher(Files.readString(PAGE));
    assertThat(imported.find()).as("the page imports realtime-js from esm.sh").isTrue();
    assertThat(tested).as("the compatibility suite's pinned version").isNotEmpty();
    assertThat(imported.group(1)).isEqualTo(tested);
  }

  @Test
  void subscribesToTablesTheExamplePublicationsPublish() throws IOException {
    Set<String> subscribed = new LinkedHashSet<>();
    Matcher binding = Pattern.compile("schema: '([a-z_]+)', table: '([a-z_]+)'").matcher(Files.readString(PAGE));
    while (binding.find()) {
      subscribed.add(binding.group(1) + "." + binding.group(2));
    }
    Set<String> published = new LinkedHashSet<>();
    YAMLMapper yaml = new YAMLMapper();
    try (Stream<Path> files = Files.list(RepositoryLayout.examples())) {
      for (Path file : files.filter(f -> f.toString().endsWith("-publication.yaml")).toList()) {
        yaml.readTree(file.toFile()).path("spec").path("tables").forEach(table ->
            published.add(table.path("schema").asText("public") + "." + table.path("name").asText()));
      }
    }
    assertThat(subscribed).isNotEmpty();
    assertThat(published).containsAll(subscribed);
  }
}
