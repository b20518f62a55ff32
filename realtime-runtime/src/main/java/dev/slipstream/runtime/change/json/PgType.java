package dev.slipstream.runtime.change.json;

import java.util.Objects;

/**
 * A column type as far as its JSON rendering goes: which {@link Rendering} turns the text that
 * pgoutput sends into JSON and, for arrays, the element type and the element delimiter.
 *
 * <p>Resolve once per column when a Relation (and Type) message arrives, not once per value: the
 * built-in lookups are a table read, but {@link #of(int)} for an OID that is not built in and the
 * user-defined factories allocate.
 *
 * <p>Built-in types are known by OID (stable across PostgreSQL versions; the array OIDs are checked
 * against a live {@code pg_type} in {@code ValueJsonWriterIT}). pgoutput sends a Type message
 * (namespace and name, nothing else) for every type whose OID is 10000 or more; {@link
 * #userDefined} turns that into a type. What a Type message cannot say, and so what we cannot
 * match {@code to_jsonb} on without a catalog query:
 *
 * <ul>
 *   <li>a domain's base type: a domain over {@code int4} arrives with the domain's own OID, so it
 *       renders as a string unless the caller, having looked up {@code pg_type.typbasetype},
 *       resolves it with {@link #domain};
 *   <li>a composite's fields ({@code to_jsonb} renders an object; we render the row text as a
 *       string);
 *   <li>a cast to {@code json} that an extension declares (hstore, PostGIS geometry): {@code
 *       to_jsonb} uses it, we render the text as a string.
 * </ul>
 */
public final class PgType {

  /** How the text of a value of this type becomes JSON. */
  public enum Rendering {
    /** {@code t}/{@code f} to {@code true}/{@code false}. */
    BOOLEAN,
    /** int2/int4/int8: the digits as a JSON number, exactly. */
    INTEGER,
    /** float4/float8: a JSON number; {@code NaN} and the infinities as strings. */
    FLOAT,
    /** numeric: a JSON number only when a double holds it losslessly, else a string. */
    NUMERIC,
    /** The text as a JSON string. */
    STRING,
    /** json/jsonb: the text is JSON and is embedded as is (after a syntax check). */
    JSON,
    /** timestamp/timestamptz: ISO text re-punctuated the way {@code to_jsonb} writes it. */
    TIMESTAMP,
    /** An array: a JSON array of the element renderings. */
    ARRAY
  }

  /**
   * Below this OID a type was created by initdb from the catalog data (genbki); pgoutput sends no
   * Type message for those.
   */
  public static final int FIRST_GENBKI_OBJECT_ID = 10000;

  public static final PgType BOOL = scalar(16, "bool", Rendering.BOOLEAN);
  public static final PgType BYTEA = scalar(17, "bytea", Rendering.STRING);
  public static final PgType CHAR = scalar(18, "char", Rendering.STRING);
  public static final PgType NAME = scalar(19, "name", Rendering.STRING);
  public static final PgType INT8 = scalar(20, "int8", Rendering.INTEGER);
  public static final PgType INT2 = scalar(21, "int2", Rendering.INTEGER);
  public static final PgType INT4 = scalar(23, "int4", Rendering.INTEGER);
  public static final PgType TEXT = scalar(25, "text", Rendering.STRING);
  /** A string, as {@code to_jsonb} renders it: oid is not one of its numeric types. */
  public static final PgType OID = scalar(26, "oid", Rendering.STRING);
  public static final PgType JSON = scalar(114, "json", Rendering.JSON);
  public static final PgType XML = scalar(142, "xml", Rendering.STRING);
  public static final PgType CIDR = scalar(650, "cidr", Rendering.STRING);
  public static final PgType FLOAT4 = scalar(700, "float4", Rendering.FLOAT);
  public static final PgType FLOAT8 = scalar(701, "float8", Rendering.FLOAT);
  public static final PgType MONEY = scalar(790, "money", Rendering.STRING);
  public static final PgType MACADDR = scalar(829, "macaddr", Rendering.STRING);
  public static final PgType INET = scalar(869, "inet", Rendering.STRING);
  public static final PgType BPCHAR = scalar(1042, "bpchar", Rendering.STRING);
  public static final PgType VARCHAR = scalar(1043, "varchar", Rendering.STRING);
  /** ISO date output is already what {@code to_jsonb} writes, BC suffix and all. */
  public static final PgType DATE = scalar(1082, "date", Rendering.STRING);
  /** {@code to_jsonb} renders time and timetz with their output functions: plain strings. */
  public static final PgType TIME = scalar(1083, "time", Rendering.STRING);
  public static final PgType TIMESTAMP = scalar(1114, "timestamp", Rendering.TIMESTAMP);
  public static final PgType TIMESTAMPTZ = scalar(1184, "timestamptz", Rendering.TIMESTAMP);
  /** {@code to_jsonb} renders an interval as its text (IntervalStyle applies). */
  public static final PgType INTERVAL = scalar(1186, "interval", Rendering.STRING);
  public static final PgType TIMETZ = scalar(1266, "timetz", Rendering.STRING);
  public static final PgType BIT = scalar(1560, "bit", Rendering.STRING);
  public static final PgType VARBIT = scalar(1562, "varbit", Rendering.STRING);
  public static final PgType NUMERIC = scalar(1700, "numeric", Rendering.NUMERIC);
  public static final PgType UUID = scalar(2950, "uuid", Rendering.STRING);
  public static final PgType JSONB = scalar(3802, "jsonb", Rendering.JSON);

  /** Every built-in OID below this bound has a slot in {@link #BUILT_IN}. */
  private static final int TABLE_SIZE = 8192;

  private static final PgType[] BUILT_IN = new PgType[TABLE_SIZE];

  static {
    // The element types we render specially, each with its array type (OIDs from pg_type).
    builtIn(BOOL, 1000);
    builtIn(BYTEA, 1001);
    builtIn(CHAR, 1002);
    builtIn(NAME, 1003);
    builtIn(INT8, 1016);
    builtIn(INT2, 1005);
    builtIn(INT4, 1007);
    builtIn(TEXT, 1009);
    builtIn(OID, 1028);
    builtIn(JSON, 199);
    builtIn(XML, 143);
    builtIn(CIDR, 651);
    builtIn(FLOAT4, 1021);
    builtIn(FLOAT8, 1022);
    builtIn(MONEY, 791);
    builtIn(MACADDR, 1040);
    builtIn(INET, 1041);
    builtIn(BPCHAR, 1014);
    builtIn(VARCHAR, 1015);
    builtIn(DATE, 1182);
    builtIn(TIME, 1183);
    builtIn(TIMESTAMP, 1115);
    builtIn(TIMESTAMPTZ, 1185);
    builtIn(INTERVAL, 1187);
    builtIn(TIMETZ, 1270);
    builtIn(BIT, 1561);
    builtIn(VARBIT, 1563);
    builtIn(NUMERIC, 1231);
    builtIn(UUID, 2951);
    builtIn(JSONB, 3807);

    // Every other built-in base, range and multirange type that has an array type: to_jsonb
    // renders these through their output functions, so strings; their arrays are JSON arrays of
    // strings. Left out on purpose: int2vector and oidvector (their text is space separated,
    // not array syntax), and pseudo-types and gtsvector (never a column's type).
    otherBuiltIn(24, "regproc", 1008);
    otherBuiltIn(27, "tid", 1010);
    otherBuiltIn(28, "xid", 1011);
    otherBuiltIn(29, "cid", 1012);
    otherBuiltIn(600, "point", 1017);
    otherBuiltIn(601, "lseg", 1018);
    otherBuiltIn(602, "path", 1019);
    otherBuiltIn(603, "box", 1020, (byte) ';'); // the one built-in type whose delimiter isn't ','
    otherBuiltIn(604, "polygon", 1027);
    otherBuiltIn(628, "line", 629);
    otherBuiltIn(718, "circle", 719);
    otherBuiltIn(774, "macaddr8", 775);
    otherBuiltIn(1033, "aclitem", 1034);
    otherBuiltIn(1790, "refcursor", 2201);
    otherBuiltIn(2202, "regprocedure", 2207);
    otherBuiltIn(2203, "regoper", 2208);
    otherBuiltIn(2204, "regoperator", 2209);
    otherBuiltIn(2205, "regclass", 2210);
    otherBuiltIn(2206, "regtype", 2211);
    otherBuiltIn(2970, "txid_snapshot", 2949);
    otherBuiltIn(3220, "pg_lsn", 3221);
    otherBuiltIn(3614, "tsvector", 3643);
    otherBuiltIn(3615, "tsquery", 3645);
    otherBuiltIn(3734, "regconfig", 3735);
    otherBuiltIn(3769, "regdictionary", 3770);
    otherBuiltIn(3904, "int4range", 3905);
    otherBuiltIn(3906, "numrange", 3907);
    otherBuiltIn(3908, "tsrange", 3909);
    otherBuiltIn(3910, "tstzrange", 3911);
    otherBuiltIn(3912, "daterange", 3913);
    otherBuiltIn(3926, "int8range", 3927);
    otherBuiltIn(4072, "jsonpath", 4073);
    otherBuiltIn(4089, "regnamespace", 4090);
    otherBuiltIn(4096, "regrole", 4097);
    otherBuiltIn(4191, "regcollation", 4192);
    otherBuiltIn(4451, "int4multirange", 6150);
    otherBuiltIn(4532, "nummultirange", 6151);
    otherBuiltIn(4533, "tsmultirange", 6152);
    otherBuiltIn(4534, "tstzmultirange", 6153);
    otherBuiltIn(4535, "datemultirange", 6155);
    otherBuiltIn(4536, "int8multirange", 6157);
    otherBuiltIn(5038, "pg_snapshot", 5039);
    otherBuiltIn(5069, "xid8", 271);
  }

  private final int oid;
  private final String namespace;
  private final String name;
  private final Rendering rendering;
  private final PgType element;
  private final byte delimiter;

  private PgType(
      int oid, String namespace, String name, Rendering rendering, PgType element, byte delimiter) {
    this.oid = oid;
    this.namespace = Objects.requireNonNull(namespace, "namespace");
    this.name = Objects.requireNonNull(name, "name");
    this.rendering = Objects.requireNonNull(rendering, "rendering");
    this.element = element;
    this.delimiter = delimiter;
  }

  /** The built-in type with this OID, or {@code null} when the OID is not one we know. */
  public static PgType builtIn(int oid) {
    return oid >= 0 && oid < TABLE_SIZE ? BUILT_IN[oid] : null;
  }

  /**
   * The built-in type with this OID, or else a type rendered as a string (what {@code to_jsonb}
   * does with types it has no rule for). Allocates for an OID that is not built in.
   */
  public static PgType of(int oid) {
    PgType known = builtIn(oid);
    return known != null ? known : new PgType(oid, "", "oid " + Integer.toUnsignedString(oid),
        Rendering.STRING, null, (byte) ',');
  }

  /**
   * A type learned from a pgoutput Type message. A built-in OID resolves to the built-in type. A
   * name starting with {@code _} is PostgreSQL's naming of an array type (the enum array {@code
   * _mood} holds {@code mood}s): it becomes an array of a string-rendered element; anything else
   * (enum, domain, composite, range, extension base type) renders as a string.
   *
   * <p>The {@code _} rule is a heuristic: someone may name a non-array type {@code _x}. The writer
   * checks array syntax before rendering an array and falls back to a string, so such a value is
   * never mangled, only (at worst, when its text happens to be array syntax) split into elements.
   */
  public static PgType userDefined(int oid, String namespace, String name) {
    PgType known = builtIn(oid);
    if (known != null) {
      return known;
    }
    if (name.length() > 1 && name.charAt(0) == '_') {
      PgType element =
          new PgType(0, namespace, name.substring(1), Rendering.STRING, null, (byte) ',');
      return new PgType(oid, namespace, name, Rendering.ARRAY, element, (byte) ',');
    }
    return new PgType(oid, namespace, name, Rendering.STRING, null, (byte) ',');
  }

  /**
   * A domain rendered like its base type, as {@code to_jsonb} does. pgoutput sends the domain's
   * OID and a Type message with only its name: the caller must learn the base type elsewhere (a
   * {@code pg_type.typbasetype} lookup) to use this; without it, {@link #userDefined} renders the
   * domain as a string.
   */
  public static PgType domain(int oid, String namespace, String name, PgType baseType) {
    return new PgType(oid, namespace, name, baseType.rendering, baseType.element,
        baseType.delimiter);
  }

  /** An array of the given element type (for example of a {@link #domain}), delimiter ','. */
  public static PgType arrayOf(int oid, String namespace, String name, PgType elementType) {
    Objects.requireNonNull(elementType, "elementType");
    return new PgType(oid, namespace, name, Rendering.ARRAY, elementType, (byte) ',');
  }

  /**
   * A type from everything it consists of, as its accessors report it: how the relay rebuilds on a
   * follower pod the type a leader described. The built-in instance when the parts are exactly a
   * built-in type's, else a new type.
   *
   * @param elementType the element type; required for (and only for) {@link Rendering#ARRAY}
   * @param delimiter the array element delimiter, a single-byte character
   */
  public static PgType of(int oid, String namespace, String name, Rendering rendering, PgType elementType,
      char delimiter) {
    Objects.requireNonNull(rendering, "rendering");
    if ((rendering == Rendering.ARRAY) != (elementType != null)) {
      throw new IllegalArgumentException("an element type goes with (and only with) an ARRAY rendering: " + name);
    }
    if (delimiter > 0xFF) {
      throw new IllegalArgumentException("not a single-byte delimiter: " + (int) delimiter);
    }
    PgType known = builtIn(oid);
    if (known != null && known.namespace.equals(namespace) && known.name.equals(name)
        && known.rendering == rendering && known.element == elementType && known.delimiter == (byte) delimiter) {
      return known;
    }
    return new PgType(oid, namespace, name, rendering, elementType, (byte) delimiter);
  }

  /** The type's OID; 0 for the element of a user-defined array (a Type message doesn't say). */
  public int oid() {
    return oid;
  }

  /** The schema, {@code pg_catalog} for built-in types, empty when unknown. */
  public String namespace() {
    return namespace;
  }

  /** The type's name as in {@code pg_type.typname}. */
  public String name() {
    return name;
  }

  public Rendering rendering() {
    return rendering;
  }

  public boolean isArray() {
    return rendering == Rendering.ARRAY;
  }

  /** The element type of an array, else {@code null}. */
  public PgType elementType() {
    return element;
  }

  /** The array element delimiter ({@code pg_type.typdelim} of the element type). */
  public char delimiter() {
    return (char) delimiter;
  }

  byte delimiterByte() {
    return delimiter;
  }

  @Override
  public String toString() {
    return namespace.isEmpty() ? name + "(" + oid + ")" : namespace + "." + name + "(" + oid + ")";
  }

  private static PgType scalar(int oid, String name, Rendering rendering) {
    return new PgType(oid, "pg_catalog", name, rendering, null, (byte) ',');
  }

  private static void builtIn(PgType element, int arrayOid) {
    register(element);
    register(new PgType(arrayOid, "pg_catalog", "_" + element.name, Rendering.ARRAY, element,
        element.delimiter));
  }

  private static void otherBuiltIn(int oid, String name, int arrayOid) {
    otherBuiltIn(oid, name, arrayOid, (byte) ',');
  }

  private static void otherBuiltIn(int oid, String name, int arrayOid, byte delimiter) {
    builtIn(new PgType(oid, "pg_catalog", name, Rendering.STRING, null, delimiter), arrayOid);
  }

  private static void register(PgType type) {
    if (BUILT_IN[type.oid] != null) {
      throw new IllegalStateException("OID registered twice: " + type.oid);
    }
    BUILT_IN[type.oid] = type;
  }
}
