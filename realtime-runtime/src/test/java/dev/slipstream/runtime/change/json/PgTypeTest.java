package dev.slipstream.runtime.change.json;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.runtime.change.json.PgType.Rendering;
import org.junit.jupiter.api.Test;

class PgTypeTest {

  @Test
  void builtInScalarsAndTheirArrays() {
    assertThat(PgType.builtIn(23)).isSameAs(PgType.INT4);
    PgType int4s = PgType.builtIn(1007);
    assertThat(int4s.isArray()).isTrue();
    assertThat(int4s.name()).isEqualTo("_int4");
    assertThat(int4s.elementType()).isSameAs(PgType.INT4);
    assertThat(int4s.delimiter()).isEqualTo(',');
    assertThat(PgType.builtIn(3807).elementType()).isSameAs(PgType.JSONB);
    assertThat(PgType.builtIn(1020).delimiter()).isEqualTo(';');
    assertThat(PgType.builtIn(1020).elementType().name()).isEqualTo("box");
  }

  @Test
  void renderings() {
    assertThat(PgType.BOOL.rendering()).isEqualTo(Rendering.BOOLEAN);
    assertThat(PgType.INT8.rendering()).isEqualTo(Rendering.INTEGER);
    assertThat(PgType.OID.rendering()).isEqualTo(Rendering.STRING);
    assertThat(PgType.FLOAT4.rendering()).isEqualTo(Rendering.FLOAT);
    assertThat(PgType.NUMERIC.rendering()).isEqualTo(Rendering.NUMERIC);
    assertThat(PgType.JSON.rendering()).isEqualTo(Rendering.JSON);
    assertThat(PgType.TIMESTAMPTZ.rendering()).isEqualTo(Rendering.TIMESTAMP);
    assertThat(PgType.DATE.rendering()).isEqualTo(Rendering.STRING);
  }

  @Test
  void unknownOids() {
    assertThat(PgType.builtIn(22)).isNull(); // int2vector: not array syntax
    assertThat(PgType.builtIn(-1)).isNull();
    assertThat(PgType.builtIn(99999)).isNull();
    PgType unknown = PgType.of(99999);
    assertThat(unknown.oid()).isEqualTo(99999);
    assertThat(unknown.rendering()).isEqualTo(Rendering.STRING);
    assertThat(PgType.of(25)).isSameAs(PgType.TEXT);
  }

  @Test
  void userDefinedFromTypeMessages() {
    PgType mood = PgType.userDefined(16385, "public", "mood");
    assertThat(mood.rendering()).isEqualTo(Rendering.STRING);
    assertThat(mood.toString()).isEqualTo("public.mood(16385)");
    PgType moods = PgType.userDefined(16384, "public", "_mood");
    assertThat(moods.isArray()).isTrue();
    assertThat(moods.elementType().name()).isEqualTo("mood");
    assertThat(moods.elementType().rendering()).isEqualTo(Rendering.STRING);
    assertThat(PgType.userDefined(16390, "public", "_")).extracting(PgType::isArray)
        .isEqualTo(false);
    // A built-in OID wins over whatever name came with it.
    assertThat(PgType.userDefined(3802, "pg_catalog", "jsonb")).isSameAs(PgType.JSONB);
  }

  @Test
  void domainsAndTheirArrays() {
    PgType posint = PgType.domain(16390, "public", "posint", PgType.INT4);
    assertThat(posint.rendering()).isEqualTo(Rendering.INTEGER);
    assertThat(posint.name()).isEqualTo("posint");
    PgType posints = PgType.arrayOf(16389, "public", "_posint", posint);
    assertThat(posints.elementType()).isSameAs(posint);
    PgType overArray = PgType.domain(16391, "public", "ints", PgType.builtIn(1007));
    assertThat(overArray.isArray()).isTrue();
    assertThat(overArray.elementType()).isSameAs(PgType.INT4);
  }
}
