package dev.slipstream.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RuntimeConfigTest {

  @Test
  void allListsEveryConstantOnce() throws IllegalAccessException {
    List<Setting<?>> constants = new ArrayList<>();
    for (Field field : RuntimeConfig.class.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getType() == Setting.class) {
        constants.add((Setting<?>) field.get(null));
      }
    }
    assertThat(RuntimeConfig.ALL).containsExactlyInAnyOrderElementsOf(constants).doesNotHaveDuplicates();
    assertThat(RuntimeConfig.names()).hasSize(RuntimeConfig.ALL.size());
    assertThat(RuntimeConfig.byName("SLIPSTREAM_DB_HOST")).containsSame(RuntimeConfig.DB_HOST);
    assertThat(RuntimeConfig.byName("SLIPSTREAM_NO_SUCH_VARIABLE")).isEmpty();
  }

  @Test
  void theRequiredOnesAreTheDatabaseAndTheStream() {
    assertThat(RuntimeConfig.requiredNames()).containsExactly("SLIPSTREAM_DB_HOST", "SLIPSTREAM_DB_NAME",
        "SLIPSTREAM_DB_USER", "SLIPSTREAM_DB_PASSWORD", "SLIPSTREAM_SLOT", "SLIPSTREAM_PUBLICATIONS");
  }

  /** What the operator writes for a default is what the runtime reads back as that default. */
  @Test
  void everyFixedDefaultSurvivesWritingAndReading() {
    for (Setting<?> setting : RuntimeConfig.ALL) {
      assertRoundTrip(setting);
    }
  }

  @Test
  void secretsAreMarked() {
    assertThat(RuntimeConfig.ALL).filteredOn(setting -> setting.kind() == Kind.SECRET)
        .containsExactly(RuntimeConfig.DB_PASSWORD, RuntimeConfig.RELAY_KEY, RuntimeConfig.JWT_SECRET,
            RuntimeConfig.JWT_PREVIOUS_SECRET);
  }

  /** docs/runtime.md's configuration table names exactly the variables of the contract. */
  @Test
  void theDocumentationListsEveryVariable() throws IOException {
    String root = System.getProperty("slipstream.repo.root", "..");
    String doc = Files.readString(Path.of(root, "docs", "runtime.md"));
    int start = doc.indexOf("## Configuration");
    assertThat(start).isNotNegative();
    int end = doc.indexOf("\n## ", start + 1);
    String section = doc.substring(start, end < 0 ? doc.length() : end);
    Set<String> documented = new TreeSet<>();
    Matcher name = Pattern.compile("SLIPSTREAM_[A-Z0-9_]+").matcher(section);
    while (name.find()) {
      documented.add(name.group());
    }
    assertThat(documented).containsExactlyInAnyOrderElementsOf(RuntimeConfig.names());
  }

  private static <T> void assertRoundTrip(Setting<T> setting) {
    setting.defaultValue().ifPresent(value ->
        assertThat(setting.parse(setting.write(value))).as(setting.name()).isEqualTo(value));
  }
}
