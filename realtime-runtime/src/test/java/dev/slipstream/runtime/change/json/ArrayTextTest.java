package dev.slipstream.runtime.change.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class ArrayTextTest {

  private static final PgType INT4S = PgType.builtIn(1007);
  private static final PgType TEXTS = PgType.builtIn(1009);

  private final Rendered rendered = new Rendered();

  private String json(PgType type, String text) {
    return rendered.json(type, text);
  }

  @Test
  void flatArraysWithNulls() {
    assertThat(json(INT4S, "{1,2,NULL}")).isEqualTo("[1,2,null]");
    assertThat(json(PgType.builtIn(1000), "{t,f,NULL}")).isEqualTo("[true,false,null]");
    assertThat(json(PgType.builtIn(1016), "{-9223372036854775808,9223372036854775807}"))
        .isEqualTo("[-9223372036854775808,9223372036854775807]");
  }

  @Test
  void emptyArrays() {
    assertThat(json(INT4S, "{}")).isEqualTo("[]");
    assertThat(json(TEXTS, "{}")).isEqualTo("[]");
    assertThat(json(INT4S, "{{}}")).isEqualTo("[[]]");
  }

  @Test
  void nestedDimensions() {
    assertThat(json(INT4S, "{{1,2},{3,4}}")).isEqualTo("[[1,2],[3,4]]");
    assertThat(json(INT4S, "{{{1},{2}},{{3},{NULL}}}")).isEqualTo("[[[1],[2]],[[3],[null]]]");
  }

  @Test
  void boundsDecorationIsDropped() {
    assertThat(json(INT4S, "[0:1]={1,2}")).isEqualTo("[1,2]");
    assertThat(json(INT4S, "[-2:-1][3:4]={{1,2},{3,4}}")).isEqualTo("[[1,2],[3,4]]");
    assertThat(json(TEXTS, "[5:5]={\"a b\"}")).isEqualTo("[\"a b\"]");
  }

  @Test
  void quotingAndEscapes() {
    assertThat(json(TEXTS, "{\"a b\",\"NULL\",NULL,\"\",\"x\\\"y\",\"back\\\\slash\",plain}"))
        .isEqualTo("[\"a b\",\"NULL\",null,\"\",\"x\\\"y\",\"back\\\\slash\",\"plain\"]");
    assertThat(json(TEXTS, "{null,Null,\"null\"}")).isEqualTo("[null,null,\"null\"]");
    assertThat(json(TEXTS, "{\"{braces}\",\"comma,\",\"semi;colon\"}"))
        .isEqualTo("[\"{braces}\",\"comma,\",\"semi;colon\"]");
    assertThat(json(TEXTS, "{\"\\\\\\\"\"}")).isEqualTo("[\"\\\\\\\"\"]"); // the text \"
    assertThat(json(TEXTS, "{ü,\"日本 😀\"}")).isEqualTo("[\"ü\",\"日本 😀\"]");
  }

  @Test
  void unquotedElementsAsArrayInReadsThem() {
    assertThat(json(TEXTS, "{ a b , c }")).isEqualTo("[\"a b\",\"c\"]");
    assertThat(json(TEXTS, "{a\\,b,c\\ }")).isEqualTo("[\"a,b\",\"c \"]");
    assertThat(json(TEXTS, "{N\\ULL}")).isEqualTo("[\"NULL\"]"); // escaped: not SQL NULL
  }

  @Test
  void elementsRenderedByTheirType() {
    assertThat(json(PgType.builtIn(1022), "{NaN,1.5,-Infinity,1e+100}"))
        .isEqualTo("[\"NaN\",1.5,\"-Infinity\",1e+100]");
    assertThat(json(PgType.builtIn(1231), "{0.1,9007199254740993,NaN,NULL}"))
        .isEqualTo("[0.1,\"9007199254740993\",\"NaN\",null]");
    assertThat(json(PgType.builtIn(3807),
        "{\"{\\\"a\\\": 1}\",\"[1, 2]\",NULL,\"null\",\"\\\"s\\\"\",1}"))
        .isEqualTo("[{\"a\": 1},[1, 2],null,null,\"s\",1]");
    assertThat(json(PgType.builtIn(1185), "{\"2024-01-01 00:00:00+00\",infinity}"))
        .isEqualTo("[\"2024-01-01T00:00:00+00:00\",\"infinity\"]");
    assertThat(json(PgType.builtIn(1001), "{\"\\\\x0102\",\"\\\\x\"}"))
        .isEqualTo("[\"\\\\x0102\",\"\\\\x\"]");
    assertThat(json(PgType.builtIn(1028), "{1,2}")).isEqualTo("[\"1\",\"2\"]");
  }

  @Test
  void boxArraysUseTheSemicolon() {
    assertThat(json(PgType.builtIn(1020), "{(1,2),(0,0);(3,3),(1,1)}"))
        .isEqualTo("[\"(1,2),(0,0)\",\"(3,3),(1,1)\"]");
  }

  @Test
  void userDefinedArraysByTheUnderscoreName() {
    PgType moods = PgType.userDefined(16386, "public", "_mood");
    assertThat(moods.isArray()).isTrue();
    assertThat(json(moods, "{happy,\"with space\",NULL,\"NULL\"}"))
        .isEqualTo("[\"happy\",\"with space\",null,\"NULL\"]");
  }

  @Test
  void arraysOfArrayDomainsNest() {
    PgType pair = PgType.domain(16400, "public", "pair", INT4S);
    PgType pairs = PgType.arrayOf(16399, "public", "_pair", pair);
    assertThat(json(pairs, "{\"{1,2}\",\"{3,NULL}\",NULL}")).isEqualTo("[[1,2],[3,null],null]");
  }

  @Test
  void malformedArrayTextIsKeptAsAString() {
    for (String text : List.of("{1,2", "{1,,2}", "{,1}", "{1,}", "1,2", "{\"abc}", "{1}x",
        "{1}}", "{{1}{2}}", "[1:2{1,2}", "[a:b]={1}", "{a\"b}", "", "{1\\")) {
      assertThat(json(INT4S, text)).as(text).isEqualTo(quoted(text));
    }
  }

  @Test
  void longEscapedElementsGrowTheScratchBuffer() throws Exception {
    String element = "x\"y\\".repeat(10_000);
    String text = "{\"" + element.replace("\\", "\\\\").replace("\"", "\\\"") + "\",short}";
    JsonNode tree = new ObjectMapper().readTree(json(TEXTS, text));
    assertThat(tree.get(0).textValue()).isEqualTo(element);
    assertThat(tree.get(1).textValue()).isEqualTo("short");
  }

  /** Any list of strings and NULLs, written by array_out's rules, reads back as itself. */
  @Property(tries = 500)
  void arrayOutTextRoundTrips(@ForAll("elements") List<String> elements) throws Exception {
    JsonNode tree = new ObjectMapper().readTree(json(TEXTS, arrayOut(elements)));
    List<String> back = new ArrayList<>();
    tree.forEach(node -> back.add(node.isNull() ? null : node.textValue()));
    assertThat(back).isEqualTo(elements);
  }

  @Provide
  Arbitrary<List<String>> elements() {
    Arbitrary<String> text = Arbitraries.oneOf(
        // Single chars only here: jqwik would split a surrogate pair; the emoji comes whole below.
        Arbitraries.strings().withChars("ab ,{}\"\\\t\nNUL;é日").ofMaxLength(8),
        Arbitraries.of("NULL", "null", "", " ", "a b", "😀", "x😀\"y"));
    return text.injectNull(0.15).list().ofMaxSize(6);
  }

  /** PostgreSQL's array_out for a one-dimensional text array. */
  private static String arrayOut(List<String> elements) {
    StringBuilder out = new StringBuilder("{");
    for (int i = 0; i < elements.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      String e = elements.get(i);
      if (e == null) {
        out.append("NULL");
      } else if (e.isEmpty() || e.equalsIgnoreCase("NULL") || e.matches("(?s).*[\"\\\\{},\\s].*")) {
        out.append('"').append(e.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
      } else {
        out.append(e);
      }
    }
    return out.append('}').toString();
  }

  private static String quoted(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
