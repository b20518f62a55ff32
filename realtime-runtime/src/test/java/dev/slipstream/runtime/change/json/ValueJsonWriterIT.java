package dev.slipstream.runtime.change.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipstream.testing.postgres.TestPostgres;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our rendering against PostgreSQL 17's own {@code to_jsonb(value)}, value by value: for each SQL
 * expression, PostgreSQL gives the value's text as its output function writes it (what pgoutput
 * sends), its type, and {@code to_jsonb}; we render the text and compare the two JSON trees,
 * numbers by exact decimal value. The session runs with the replication connection's settings.
 *
 * <p>The text comes from {@code format('%s', v)}, which calls the type's output function, not
 * from {@code v::text}: some casts to text differ from the output function ({@code bool} gives
 * {@code true}, {@code inet} adds the netmask, {@code char(n)} drops its padding).
 */
class ValueJsonWriterIT {

  @RegisterExtension static final TestPostgres postgres = TestPostgres.logical();

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private static Connection connection;
  private final Rendered rendered = new Rendered();

  /** Values of each type, as SQL expressions; the matrix adds arrays of each. */
  private static final Map<String, List<String>> VALUES = new LinkedHashMap<>();

  static {
    values("bool", "true", "false");
    values("int2", "-32768", "32767", "0");
    values("int4", "-2147483648", "2147483647", "42");
    values("int8", "-9223372036854775808", "9223372036854775807", "9007199254740993");
    values("oid", "0", "4294967295");
    values("float4", "'1.5'", "'-0'", "'3.4028235e38'", "'1.4e-45'", "'0.1'", "'1e-10'",
        "'NaN'", "'Infinity'", "'-Infinity'");
    values("float8", "'0.1'", "'1e-7'", "'1e308'", "'5e-324'", "'1.7976931348623157e308'",
        "'-0'", "'123456789012345680000'", "'2.5'", "'NaN'", "'Infinity'", "'-Infinity'");
    values("numeric", "'0'", "'0.1'", "'0.0000001'", "'1e-7'", "'12345678901234567890'",
        "'9007199254740993'", "'9007199254740992'", "'1.50'", "'-0.000'", "'1e308'", "'1e309'",
        "'1e-400'", "'0.1000000000000000055511151231257827'", "'123456789012345.6'",
        "'1234567890123456.7'", "'3.141592653589793'", "'3.1415926535897932'", "'-12345.678'",
        "'NaN'", "'Infinity'", "'-Infinity'");
    values("text", "''", "'NULL'", "'null'", "'a b'", "'with \"quote\"'", "'back\\slash'",
        "'ü 日本 😀'", "E'\\t\\n\\x01 ctl'", "'{braces}'", "'comma,'", "' lead'", "'semi;'");
    values("varchar", "'abc'", "''");
    values("char(5)", "'ab'", "'abcde'");
    values("name", "'a name'");
    values("\"char\"", "'a'", "'\\310'", "' '");
    values("uuid", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'");
    values("xml", "'<a x=\"1\">t &amp; u</a>'");
    values("money", "'12.34'", "'-92233720368547758.08'");
    values("inet", "'192.168.0.1'", "'::1/128'", "'10.0.0.0/8'", "'2001:db8::1'");
    values("cidr", "'10.0.0.0/8'", "'2001:db8::/32'");
    values("macaddr", "'08:00:2b:01:02:03'");
    values("bit(3)", "B'101'");
    values("varbit", "B'1'", "B''");
    values("json", "'{\"b\":1,\"a\":[1,2.50,\"x\"]}'", "'  [1, 2]  '", "'\"str\"'", "'null'",
        "'1e5'", "'{\"a\":1,\"a\":2}'", "'\"\\u00e9\"'", "'[]'", "'{}'", "'-0.0'",
        "'{\"deep\":[[[{\"x\":[true,false,null]}]]]}'");
    values("jsonb", "'{\"b\":1,\"a\":[1,2.50,\"x\"]}'", "'\"str\"'", "'null'", "'1e5'",
        "'[{\"k\": \"v, with \\\"quotes\\\"\"}]'", "'123456789012345678901234567890'");
    values("date", "'2024-02-29'", "'0001-01-01'", "'4713-01-01 BC'", "'5874897-12-31'",
        "'10000-01-01'", "'0001-12-31 BC'", "'infinity'", "'-infinity'");
    values("time", "'00:00:00'", "'23:59:59.999999'", "'24:00:00'", "'12:34:56.5'");
    values("timetz", "'12:34:56+05:30'", "'12:00:00-08'", "'00:00:00+14'",
        "'12:00:00+01:02:03'", "'23:59:59.999999-15:59'");
    values("timestamp", "'2024-01-01 12:34:56.789'", "'4713-01-01 00:00:00 BC'",
        "'294276-12-31 23:59:59.999999'", "'0001-01-01 00:00:00 BC'", "'10000-01-01 00:00:00'",
        "'2000-01-01 00:00:00.000001'", "'infinity'", "'-infinity'");
    values("timestamptz", "'2024-01-01 12:34:56.789+05:30'",
        "'2024-06-01 00:00:00 America/New_York'", "'1900-01-01 00:00:00 Europe/Amsterdam'",
        "'1850-01-01 12:00 Asia/Kolkata'", "'2024-03-10 02:30:00-03:30'",
        "'4713-01-01 00:00:00+00 BC'", "'294276-12-31 23:59:59.999999+00'", "'infinity'",
        "'-infinity'");
    values("interval", "'1 year 2 months 3 days 04:05:06.789'", "'-1 day'", "'0'",
        "'178000000 years'", "'-00:00:00.000001'", "'1 mon -1 day'");
    values("bytea", "'\\x'", "'\\x00ff'", "decode(repeat('ab', 100), 'hex')");
    // Built-in types without a rule of their own: strings, and their arrays arrays of strings.
    values("int4range", "'[1,3)'", "'empty'");
    values("point", "'(1,2)'");
    values("box", "'(1,2),(0,0)'");
    values("tsvector", "'a fat cat'");
    values("macaddr8", "'08:00:2b:01:02:03:04:05'");
    values("pg_lsn", "'16/B374D848'");
    // User-defined types: created in setUp.
    values("mood", "'happy'", "'with space'", "'NULL'", "'{x}'");
  }

  private static void values(String type, String... literals) {
    VALUES.put(type, List.of(literals));
  }

  @BeforeAll
  static void connect() throws SQLException {
    connection = postgres.connect();
    try (Statement statement = connection.createStatement()) {
      // The replication connection's session settings.
      statement.execute("SET DateStyle = 'ISO, MDY'");
      statement.execute("SET TimeZone = 'UTC'");
      statement.execute("SET IntervalStyle = 'postgres'");
      statement.execute("SET extra_float_digits = 3");
      statement.execute("SET bytea_output = 'hex'");
      statement.execute("CREATE TYPE mood AS ENUM ('happy', 'with space', 'NULL', '{x}')");
      statement.execute("CREATE DOMAIN posint AS int4 CHECK (VALUE > 0)");
      statement.execute("CREATE TYPE pair AS (a int4, b text)");
    }
  }

  @AfterAll
  static void close() throws SQLException {
    if (connection != null) {
      connection.close();
    }
  }

  static Stream<String> expressions() {
    List<String> all = new ArrayList<>();
    all.add("NULL::int4");
    all.add("NULL::jsonb");
    VALUES.forEach((type, literals) -> {
      List<String> typed = literals.stream().map(l -> "(" + l + ")::" + type).toList();
      all.addAll(typed);
      String elements = String.join(", ", typed);
      all.add("ARRAY[" + elements + ", NULL]::" + type + "[]");
      String first = typed.getFirst();
      String second = typed.size() > 1 ? typed.get(1) : first;
      all.add("ARRAY[[" + first + ", NULL], [" + second + ", " + first + "]]::" + type + "[]");
      // A lower bound other than 1: the text gets the [0:1]= decoration.
      all.add("('[0:1]=' || (ARRAY[" + first + ", " + second + "]::" + type + "[])::text)::"
          + type + "[]");
      all.add("'{}'::" + type + "[]");
    });
    all.add("ARRAY[ARRAY['a', 'b'], ARRAY['c\"', NULL]]::text[]");
    all.add("'[-3:-2][1:2][5:5]={{{1},{2}},{{3},{NULL}}}'::int4[]");
    all.add("ARRAY['{\"a\": [1, \"x\\\"y\"]}'::jsonb, 'null'::jsonb, NULL]");
    return all.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("expressions")
  void rendersAsToJsonb(String expression) throws Exception {
    Value value = select(expression);
    PgType type = resolve(value);
    JsonNode ours = MAPPER.readTree(rendered.json(type, value.text()));
    JsonNode theirs =
        value.toJsonb() == null ? MAPPER.nullNode() : MAPPER.readTree(value.toJsonb());
    boolean numeric = type == PgType.NUMERIC || type.elementType() == PgType.NUMERIC;
    assertSameJson(theirs, ours, numeric, expression + " (text " + value.text() + ")");
  }

  /**
   * The one deliberate difference: to_jsonb writes every numeric as a JSON number, which a client
   * parses into a double and silently rounds; we write those a double cannot hold as strings with
   * the exact digits.
   */
  @Test
  void numericThatADoubleCannotHoldIsAStringWhereToJsonbWritesANumber() throws Exception {
    for (String literal : List.of("12345678901234567890", "9007199254740993",
        "0.1000000000000000055511151231257827", "1234567890123456.7", "3.1415926535897932",
        "1e309", "1e-400")) {
      Value value = select("'" + literal + "'::numeric");
      JsonNode theirs = MAPPER.readTree(value.toJsonb());
      JsonNode ours = MAPPER.readTree(rendered.json(PgType.NUMERIC, value.text()));
      assertThat(theirs.isNumber()).as(literal).isTrue();
      assertThat(ours.isTextual()).as(literal).isTrue();
      assertThat(ours.textValue()).isEqualTo(value.text());
      assertThat(new BigDecimal(ours.textValue())).isEqualByComparingTo(theirs.decimalValue());
    }
    for (String literal : List.of("0.1", "1e-7", "9007199254740992", "1.50", "1e308")) {
      Value value = select("'" + literal + "'::numeric");
      JsonNode ours = MAPPER.readTree(rendered.json(PgType.NUMERIC, value.text()));
      assertThat(ours.isNumber()).as(literal).isTrue();
      assertThat(ours.decimalValue())
          .isEqualByComparingTo(MAPPER.readTree(value.toJsonb()).decimalValue());
    }
  }

  /** Enums are strings in to_jsonb too; enum arrays arrive as {@code _mood}. */
  @Test
  void enumsAndEnumArraysFromTypeMessages() throws Exception {
    Value array = select("ARRAY['happy', 'NULL', NULL, '{x}', 'with space']::mood[]");
    PgType type = PgType.userDefined(array.oid(), array.namespace(), array.name());
    assertThat(array.name()).isEqualTo("_mood");
    assertThat(type.isArray()).isTrue();
    assertThat(MAPPER.readTree(rendered.json(type, array.text())))
        .isEqualTo(MAPPER.readTree(array.toJsonb()));
  }

  /**
   * A domain column arrives with the domain's OID and, in its Type message, only its name: we
   * render it as a string where to_jsonb (which looks through domains) writes the base type. A
   * caller that looks up {@code pg_type.typbasetype} gets to_jsonb's rendering with {@link
   * PgType#domain}.
   */
  @Test
  void domainsAreStringsUnlessResolvedToTheirBaseType() throws Exception {
    Value value = select("42::posint");
    assertThat(value.oid()).isGreaterThanOrEqualTo(PgType.FIRST_GENBKI_OBJECT_ID);
    assertThat(value.toJsonb()).isEqualTo("42");

    PgType fromTypeMessage = PgType.userDefined(value.oid(), value.namespace(), value.name());
    assertThat(rendered.json(fromTypeMessage, value.text())).isEqualTo("\"42\"");

    int baseOid;
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(
            "SELECT typbasetype FROM pg_type WHERE oid = " + value.oid())) {
      rs.next();
      baseOid = rs.getInt(1);
    }
    PgType resolved =
        PgType.domain(value.oid(), value.namespace(), value.name(), PgType.builtIn(baseOid));
    assertThat(rendered.json(resolved, value.text())).isEqualTo("42");

    Value array = select("ARRAY[1, NULL, 3]::posint[]");
    assertThat(rendered.json(PgType.userDefined(array.oid(), array.namespace(), array.name()),
        array.text())).isEqualTo("[\"1\",null,\"3\"]");
    assertThat(MAPPER.readTree(rendered.json(
            PgType.arrayOf(array.oid(), array.namespace(), array.name(), resolved), array.text())))
        .isEqualTo(MAPPER.readTree(array.toJsonb()));
  }

  /** A composite's field names are not in its text: a string, where to_jsonb writes an object. */
  @Test
  void compositesAreTheirText() throws Exception {
    Value value = select("ROW(1, 'a b')::pair");
    assertThat(MAPPER.readTree(value.toJsonb()))
        .isEqualTo(MAPPER.readTree("{\"a\":1,\"b\":\"a b\"}"));
    PgType type = PgType.userDefined(value.oid(), value.namespace(), value.name());
    assertThat(rendered.json(type, value.text())).isEqualTo("\"(1,\\\"a b\\\")\"");
  }

  /** json is embedded as it is; to_jsonb normalises through jsonb. Same values when parsed. */
  @Test
  void jsonKeepsItsText() throws Exception {
    Value value = select("'{\"b\": 1,  \"a\": 2, \"a\": 3}'::json");
    assertThat(value.toJsonb()).isEqualTo("{\"a\": 3, \"b\": 1}");
    String ours = rendered.json(PgType.JSON, value.text());
    assertThat(ours).isEqualTo("{\"b\": 1,  \"a\": 2, \"a\": 3}");
    assertThat(MAPPER.readTree(ours)).isEqualTo(MAPPER.readTree(value.toJsonb()));
  }

  /**
   * The built-in OIDs, names, array types and delimiters in {@link PgType} are PostgreSQL's:
   * every array type of a non-composite built-in type is known (but the two vector types, whose
   * text is not array syntax), and every type we know has the name pg_type gives it.
   */
  @Test
  void builtInTypesMatchTheCatalog() throws SQLException {
    Map<Integer, String> names = new HashMap<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery("SELECT oid, typname FROM pg_type WHERE oid < 10000")) {
      while (rs.next()) {
        names.put(rs.getInt(1), rs.getString(2));
      }
    }
    int checked = 0;
    for (int oid = 0; oid < 10000; oid++) {
      PgType type = PgType.builtIn(oid);
      if (type != null) {
        assertThat(type.name()).as("name of OID %d", oid).isEqualTo(names.get(oid));
        checked++;
      }
    }
    assertThat(checked).isGreaterThanOrEqualTo(60);

    String sql = """
        SELECT a.oid, e.oid, e.typname, e.typdelim
        FROM pg_type e JOIN pg_type a ON a.oid = e.typarray
        WHERE e.oid < 10000 AND e.typtype IN ('b', 'r', 'm')
          AND e.typname NOT IN ('int2vector', 'oidvector', 'gtsvector')
        """;
    int arrays = 0;
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      while (rs.next()) {
        PgType array = PgType.builtIn(rs.getInt(1));
        assertThat(array).as("array of %s", rs.getString(3)).isNotNull();
        assertThat(array.isArray()).isTrue();
        assertThat(array.elementType().oid()).isEqualTo(rs.getInt(2));
        assertThat(array.elementType()).isSameAs(PgType.builtIn(rs.getInt(2)));
        assertThat(String.valueOf(array.delimiter())).isEqualTo(rs.getString(4));
        arrays++;
      }
    }
    assertThat(arrays).isEqualTo(73); // PostgreSQL 17
  }

  private static PgType resolve(Value value) {
    if (value.oid() < PgType.FIRST_GENBKI_OBJECT_ID) {
      PgType type = PgType.builtIn(value.oid());
      assertThat(type).as("built-in type %s (%d)", value.name(), value.oid()).isNotNull();
      return type;
    }
    return PgType.userDefined(value.oid(), value.namespace(), value.name());
  }

  /** Trees equal, numbers by exact value; in numeric columns a lossy number may be a string. */
  private static void assertSameJson(JsonNode expected, JsonNode actual, boolean numeric,
      String where) {
    if (expected.isNumber()) {
      BigDecimal value = expected.decimalValue();
      if (actual.isNumber()) {
        assertThat(actual.decimalValue()).as(where).isEqualByComparingTo(value);
        if (numeric) {
          assertThat(losslessAsDouble(value)).as("number although lossy: " + where).isTrue();
        }
      } else if (numeric && actual.isTextual()) {
        assertThat(new BigDecimal(actual.textValue())).as(where).isEqualByComparingTo(value);
        assertThat(losslessAsDouble(value)).as("string although lossless: " + where).isFalse();
      } else {
        fail("expected the number %s, got %s: %s", expected, actual, where);
      }
    } else if (expected.isArray()) {
      assertThat(actual.isArray()).as("array: " + where).isTrue();
      assertThat(actual.size()).as("array size: " + where).isEqualTo(expected.size());
      for (int i = 0; i < expected.size(); i++) {
        assertSameJson(expected.get(i), actual.get(i), numeric, where + " [" + i + "]");
      }
    } else if (expected.isObject()) {
      assertThat(actual.isObject()).as("object: " + where).isTrue();
      List<String> expectedNames = new ArrayList<>();
      expected.fieldNames().forEachRemaining(expectedNames::add);
      List<String> actualNames = new ArrayList<>();
      for (Iterator<String> it = actual.fieldNames(); it.hasNext(); ) {
        actualNames.add(it.next());
      }
      assertThat(actualNames).as("keys: " + where)
          .containsExactlyInAnyOrderElementsOf(expectedNames);
      for (String name : expectedNames) {
        assertSameJson(expected.get(name), actual.get(name), false, where + " ." + name);
      }
    } else {
      assertThat(actual).as(where).isEqualTo(expected);
    }
  }

  /** Independent of NumberText: parse to a double, print its shortest form, compare values. */
  private static boolean losslessAsDouble(BigDecimal value) {
    double parsed = Double.parseDouble(value.toString());
    return Double.isFinite(parsed)
        && new BigDecimal(Double.toString(parsed)).compareTo(value) == 0;
  }

  private record Value(String text, int oid, String namespace, String name, String toJsonb) {}

  private static Value select(String expression) throws SQLException {
    String sql = "SELECT CASE WHEN num_nulls(s.v) = 1 THEN NULL ELSE format('%s', s.v) END,"
        + " t.oid, n.nspname, t.typname, to_jsonb(s.v)::text"
        + " FROM (SELECT (" + expression + ") AS v) s"
        + " JOIN pg_type t ON t.oid = pg_typeof(s.v)"
        + " JOIN pg_namespace n ON n.oid = t.typnamespace";
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      assertThat(rs.next()).as(expression).isTrue();
      return new Value(rs.getString(1), (int) rs.getLong(2), rs.getString(3), rs.getString(4),
          rs.getString(5));
    }
  }
}
