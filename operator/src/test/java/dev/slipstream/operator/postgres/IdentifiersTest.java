package dev.slipstream.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IdentifiersTest {

  @Test
  void quotesEveryIdentifierEvenPlainOnes() {
    assertThat(Identifiers.quote("orders")).isEqualTo("\"orders\"");
  }

  @Test
  void keepsUpperCaseSpacesAndUnicodeAsStored() {
    assertThat(Identifiers.quote("Orders")).isEqualTo("\"Orders\"");
    assertThat(Identifiers.quote("order items")).isEqualTo("\"order items\"");
    assertThat(Identifiers.quote("Größe 表")).isEqualTo("\"Größe 表\"");
  }

  @Test
  void doublesEmbeddedDoubleQuotes() {
    assertThat(Identifiers.quote("we\"ird")).isEqualTo("\"we\"\"ird\"");
    assertThat(Identifiers.quote("\"")).isEqualTo("\"\"\"\"");
  }

  @Test
  void anInjectionAttemptStaysOneIdentifier() {
    assertThat(Identifiers.quote("x\"; DROP TABLE t; --")).isEqualTo("\"x\"\"; DROP TABLE t; --\"");
  }

  @Test
  void rejectsNulEmptyAndNull() {
    assertThatThrownBy(() -> Identifiers.quote("a\0b")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NUL");
    assertThatThrownBy(() -> Identifiers.quote("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Identifiers.quote(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsNamesPostgresWouldTruncate() {
    assertThat(Identifiers.quote("a".repeat(63))).hasSize(65);
    assertThatThrownBy(() -> Identifiers.quote("a".repeat(64)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("64 bytes");
    // 32 two-byte characters: 32 characters but 64 bytes.
    assertThatThrownBy(() -> Identifiers.quote("ü".repeat(32))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void literalsDoubleSingleQuotesAndKeepBackslashes() {
    assertThat(Identifiers.literal("insert, update")).isEqualTo("'insert, update'");
    assertThat(Identifiers.literal("it's")).isEqualTo("'it''s'");
    assertThat(Identifiers.literal("a\\b")).isEqualTo("'a\\b'");
    assertThat(Identifiers.literal("")).isEqualTo("''");
  }

  @Test
  void literalsRejectNul() {
    assertThatThrownBy(() -> Identifiers.literal("a\0")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NUL");
  }
}
