package dev.slipstream.operator.postgres;

/**
 * Catalog queries that read a database's fitness and a publication's state. Version-aware: columns
 * a server does not have yet are selected as NULL, so the reading code is the same everywhere.
 */
public final class CatalogSql {

  /**
   * Everything {@link DatabaseFacts} needs, in one round trip. The one parameter is the tenant's slot
   * name (or NULL): a slot that already exists needs no free slot, and one being streamed needs no
   * free WAL sender.
   */
  public static final String FACTS = "SELECT current_setting('server_version_num')::int AS version_num, "
      + "current_setting('server_version') AS version, "
      + "current_setting('wal_level') AS wal_level, "
      + "current_setting('max_replication_slots')::int AS max_replication_slots, "
      + "(SELECT count(*) FROM pg_replication_slots)::int AS replication_slots_used, "
      + "current_setting('max_wal_senders')::int AS max_wal_senders, "
      + "(SELECT count(*) FROM pg_stat_replication)::int AS wal_senders_used, "
      + "current_user AS role, r.rolreplication, r.rolsuper, "
      + "has_database_privilege(current_database(), 'CREATE') AS can_create, "
      + "current_database() AS database, "
      + "s.active AS slot_active "
      + "FROM pg_roles r LEFT JOIN pg_replication_slots s ON s.slot_name = ? "
      + "WHERE r.rolname = current_user";

  /** The server's version, read once per connection. */
  public static final String VERSION =
      "SELECT current_setting('server_version_num')::int, current_setting('server_version')";

  /**
   * The session settings every operator connection runs with (see {@link ConnectionSettings.Timeouts}),
   * as one statement with the values as parameters: statement_timeout, lock_timeout (both in
   * milliseconds, as text) and standard_conforming_strings = on, which {@link Identifiers#literal}
   * relies on.
   */
  static final String SESSION_SETTINGS = "SELECT set_config('statement_timeout', ?, false), "
      + "set_config('lock_timeout', ?, false), set_config('standard_conforming_strings', 'on', false)";

  private CatalogSql() {
  }

  /** Flags and comment of one publication (parameter: its name). */
  public static String publication(PostgresVersion version) {
    String truncate = version.atLeast(PostgresVersion.PUBLISH_TRUNCATE) ? "p.pubtruncate" : "false";
    return "SELECT p.pubinsert, p.pubupdate, p.pubdelete, " + truncate + " AS pubtruncate, p.puballtables, "
        + "obj_description(p.oid, 'pg_publication') AS comment "
        + "FROM pg_publication p WHERE p.pubname = ?";
  }

  /**
   * The publication's own TABLE entries ({@code pg_publication_rel}), with the column list as
   * declared (NULL when there is none; {@code pg_publication_tables.attnames} cannot tell "no list"
   * from "a list of every column") and the row filter as PostgreSQL renders it.
   */
  public static String members(PostgresVersion version) {
    boolean filters = version.atLeast(PostgresVersion.PUBLICATION_FILTERS);
    String columns = filters
        ? "CASE WHEN pr.prattrs IS NULL THEN NULL ELSE ARRAY(SELECT a.attname::text FROM pg_attribute a "
            + "WHERE a.attrelid = pr.prrelid AND a.attnum = ANY (pr.prattrs) ORDER BY a.attnum) END"
        : "NULL::text[]";
    String rowFilter = filters ? "pg_get_expr(pr.prqual, pr.prrelid)" : "NULL::text";
    return "SELECT n.nspname, c.relname, " + columns + " AS columns, " + rowFilter + " AS row_filter "
        + "FROM pg_publication_rel pr JOIN pg_publication p ON p.oid = pr.prpubid "
        + "JOIN pg_class c ON c.oid = pr.prrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        + "WHERE p.pubname = ? ORDER BY 1, 2";
  }

  /** The publication's TABLES IN SCHEMA entries; null before PostgreSQL 15, which has none. */
  public static String schemas(PostgresVersion version) {
    if (!version.atLeast(PostgresVersion.PUBLICATION_FILTERS)) {
      return null;
    }
    return "SELECT n.nspname FROM pg_publication_namespace pn JOIN pg_namespace n ON n.oid = pn.pnnspid "
        + "JOIN pg_publication p ON p.oid = pn.pnpubid WHERE p.pubname = ? ORDER BY 1";
  }

  /**
   * Every table the publication publishes, schemas expanded ({@code pg_publication_tables}), with
   * its replica identity from {@code pg_class.relreplident}.
   */
  public static String publishedTables(PostgresVersion version) {
    boolean filters = version.atLeast(PostgresVersion.PUBLICATION_FILTERS);
    return "SELECT t.schemaname, t.tablename, "
        + (filters ? "t.attnames::text[]" : "NULL::text[]") + " AS columns, "
        + (filters ? "t.rowfilter" : "NULL::text") + " AS row_filter, c.relreplident "
        + "FROM pg_publication_tables t JOIN pg_namespace n ON n.nspname = t.schemaname "
        + "JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = t.tablename "
        + "WHERE t.pubname = ? ORDER BY 1, 2";
  }

  /**
   * What {@link ReplicaIdentityRules} needs for each published table: its replica identity and
   * identity columns, its declared column list, and the columns its row filter uses.
   *
   * <p>The filter's columns come from the stored expression tree ({@code pg_publication_rel.prqual},
   * whose Var nodes carry {@code :varattno}); no SQL function lists them. A filter refers to one
   * table only, so every Var is a column of that table.
   */
  public static String identityCoverage(PostgresVersion version) {
    boolean filters = version.atLeast(PostgresVersion.PUBLICATION_FILTERS);
    String columnList = filters
        ? "CASE WHEN pr.prattrs IS NULL THEN NULL ELSE ARRAY(SELECT a.attname::text FROM pg_attribute a "
            + "WHERE a.attrelid = c.oid AND a.attnum = ANY (pr.prattrs) ORDER BY a.attnum) END"
        : "NULL::text[]";
    String filterColumns = filters
        ? "ARRAY(SELECT DISTINCT a.attname::text FROM regexp_matches(pr.prqual::text, ':varattno (\\d+)', 'g') AS m(g) "
            + "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = (m.g)[1]::int2 ORDER BY 1)"
        : "ARRAY[]::text[]";
    return "SELECT t.schemaname, t.tablename, c.relreplident, "
        + "ARRAY(SELECT a.attname::text FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
        + "AND a.attnum = ANY (i.indkey) WHERE i.indrelid = c.oid AND CASE c.relreplident "
        + "WHEN 'd' THEN i.indisprimary WHEN 'i' THEN i.indisreplident ELSE false END ORDER BY a.attnum) AS identity_columns, "
        + columnList + " AS column_list, " + filterColumns + " AS filter_columns "
        + "FROM pg_publication_tables t JOIN pg_publication p ON p.pubname = t.pubname "
        + "JOIN pg_namespace n ON n.nspname = t.schemaname "
        + "JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = t.tablename "
        + (filters ? "LEFT JOIN pg_publication_rel pr ON pr.prpubid = p.oid AND pr.prrelid = c.oid " : "")
        + "WHERE t.pubname = ? ORDER BY 1, 2";
  }
}
