package dev.slipstream.runtime.change.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class JsonTextTest {

  private static final ObjectMapper STRICT =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  @Test
  void valid() {
    for (String ok : new String[] {"null", "true", "false", "0", "-1.5e+3", "\"\"",
        "\"a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00 ü\"", "[]", "{}", " [ 1 , [ ] ] ",
        "{\"a\":{\"b\":[1,{\"c\":null}]},\"d\":\"e\"}", "\n{\"a\" : 1 }\r\n", "\"\\u0000\""}) {
      assertThat(valid(ok)).as(ok).isTrue();
    }
  }

  @Test
  void invalid() {
    for (String bad : new String[] {"", " ", "nul", "True", "[1,]", "[,1]", "{\"a\"}",
        "{\"a\":1,}", "{1:2}", "{\"a\" 1}", "[1 2]", "[1]]", "[[1]", "{\"a\":1]", "[1}", "1 2",
        "\"abc", "\"a\tb\"", "\"\\x\"", "\"\\u12\"", "01", "NaN", "'a'", "[1]x", "//",
        "{\"a\":1}{"}) {
      assertThat(valid(bad)).as(bad).isFalse();
    }
  }

  @Test
  void deepNestingBeyondTheInlineBits() {
    int depth = 300;
    String arrays = "[".repeat(depth) + "]".repeat(depth);
    assertThat(valid(arrays)).isTrue();
    StringBuilder mixed = new StringBuilder();
    for (int i = 0; i < depth; i++) {
      mixed.append(i % 3 == 0 ? "{\"k\":" : "[");
    }
    mixed.append("1");
    for (int i = depth - 1; i >= 0; i--) {
      mixed.append(i % 3 == 0 ? "}" : "]");
    }
    assertThat(valid(mixed.toString())).isTrue();
    // Swap one closer deep inside: an object closed as an array must be caught past level 64.
    int at = mixed.length() - 1 - 3 * 40;
    char closer = mixed.charAt(at);
    mixed.setCharAt(at, closer == '}' ? ']' : '}');
    assertThat(valid(mixed.toString())).isFalse();
  }

  /** Differential: on short strings over JSON's alphabet, agrees with Jackson's strict parser. */
  @Property(tries = 5000)
  void agreesWithJackson(@ForAll("jsonish") String text) {
    assertThat(valid(text)).as(text).isEqualTo(jacksonAccepts(text));
  }

  @Provide
  Arbitrary<String> jsonish() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withChars("{}[],:\" \\0123-.eE+tnfu/\t").ofMaxLength(12),
        Arbitraries.strings().withChars("{}[],:\"1").ofMaxLength(16),
        Arbitraries.of("{\"a\":", "[1,", "true", "null", "\"x\"", "-0.5e-3", "]", "}", ",", ":")
            .list().ofMaxSize(6).map(parts -> String.join("", parts)));
  }

  /** Whatever Jackson writes is valid. */
  @Property(tries = 300)
  void jacksonOutputIsValid(@ForAll("trees") JsonNode tree) throws Exception {
    assertThat(valid(STRICT.writeValueAsString(tree))).isTrue();
    assertThat(valid(STRICT.writerWithDefaultPrettyPrinter().writeValueAsString(tree))).isTrue();
  }

  @Provide
  Arbitrary<JsonNode> trees() {
    Arbitrary<String> json = Arbitraries.recursive(
        () -> Arbitraries.oneOf(Arbitraries.of("null", "true", "false", "0", "-1.25e7"),
            Arbitraries.strings().ofMaxLength(6).map(s -> {
              try {
                return STRICT.writeValueAsString(s);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            })),
        inner -> Arbitraries.oneOf(
            inner.list().ofMaxSize(3).map(l -> "[" + String.join(",", l) + "]"),
            inner.list().ofMaxSize(3).map(l -> {
              StringBuilder o = new StringBuilder("{");
              for (int i = 0; i < l.size(); i++) {
                o.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(l.get(i));
              }
              return o.append('}').toString();
            })),
        4);
    return json.map(text -> {
      try {
        return STRICT.readTree(text);
      } catch (Exception e) {
        throw new IllegalStateException(text, e);
      }
    });
  }

  private static boolean jacksonAccepts(String text) {
    try {
      JsonNode node = STRICT.readTree(text);
      return node != null && !node.isMissingNode();
    } catch (Exception e) {
      return false;
    }
  }

  private static boolean valid(String text) {
    byte[] b = ("x" + text + "x").getBytes(StandardCharsets.UTF_8);
    return JsonText.isValid(b, 1, b.length - 2);
  }
}
