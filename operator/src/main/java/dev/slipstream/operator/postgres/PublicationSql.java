package dev.slipstream.operator.postgres;

import static dev.slipstream.operator.postgres.Identifiers.literal;
import static dev.slipstream.operator.postgres.Identifiers.quote;

import dev.slipstream.api.v1alpha1.Reasons;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The publication statements, as pure functions of the desired publication and the server's
 * version. Nothing here talks to a database.
 *
 * <p>Identifiers are always quoted. A row filter is the one piece of user SQL: it is placed inside
 * {@code WHERE ( ... )} as written, after {@link RowFilters} has checked that it stays inside those
 * parentheses; PostgreSQL's parser then decides whether it is a valid filter (see RowFilters for
 * the whole chain of guards).
 *
 * <p>Features PostgreSQL gained later are refused up front with a message naming the feature and
 * the server's version, instead of letting an old server report a syntax error.
 */
public final class PublicationSql {

  private PublicationSql() {
  }

  /** {@code CREATE PUBLICATION "name" FOR TABLE ..., TABLES IN SCHEMA ... WITH (publish = '...')}. */
  public static String create(DesiredPublication publication, PostgresVersion version) {
    requireSupported(publication, version);
    return "CREATE PUBLICATION " + name(publication) + " FOR " + objects(publication)
        + " WITH (publish = " + literal(PublishOperation.publishParameter(publication.operations())) + ")";
  }

  /**
   * {@code ALTER PUBLICATION "name" SET TABLE ..., TABLES IN SCHEMA ...}: replaces the whole list of
   * tables and schemas (entries not named are removed), each with its column list and row filter.
   */
  public static String setObjects(DesiredPublication publication, PostgresVersion version) {
    requireSupported(publication, version);
    return "ALTER PUBLICATION " + name(publication) + " SET " + objects(publication);
  }

  /** {@code ALTER PUBLICATION "name" SET (publish = '...')}. */
  public static String setPublish(DesiredPublication publication, PostgresVersion version) {
    requireSupported(publication, version);
    return "ALTER PUBLICATION " + name(publication)
        + " SET (publish = " + literal(PublishOperation.publishParameter(publication.operations())) + ")";
  }

  /** {@code DROP PUBLICATION IF EXISTS "name"}: dropping what is already gone is success. */
  public static String drop(String publicationName) {
    return "DROP PUBLICATION IF EXISTS " + quoteOrRefuse(publicationName);
  }

  /** {@code ALTER TABLE "schema"."name" REPLICA IDENTITY FULL}: old rows carry every column. */
  public static String replicaIdentityFull(TableName table) {
    return "ALTER TABLE " + table.sql() + " REPLICA IDENTITY FULL";
  }

  /** {@code COMMENT ON PUBLICATION "name" IS '...'}. */
  public static String comment(String publicationName, String text) {
    return "COMMENT ON PUBLICATION " + quoteOrRefuse(publicationName) + " IS " + literal(text);
  }

  /** {@code "schema"."name" ("c1", "c2") WHERE (filter)}: one entry of a TABLE list. */
  static String tableEntry(PublicationTable table) {
    StringBuilder sql = new StringBuilder(table.table().sql());
    if (table.hasColumnList()) {
      sql.append(table.columns().stream().map(Identifiers::quote).collect(Collectors.joining(", ", " (", ")")));
    }
    if (table.hasRowFilter()) {
      String problem = RowFilters.problem(table.rowFilter()).orElse(null);
      if (problem != null) {
        throw new PublicationException(PostgresReasons.INVALID_ROW_FILTER,
            "row filter of " + table.table() + " " + problem + "." + ReasonAdvice.forReason(PostgresReasons.INVALID_ROW_FILTER));
      }
      sql.append(" WHERE (").append(table.rowFilter()).append(')');
    }
    return sql.toString();
  }

  private static String objects(DesiredPublication publication) {
    try {
      List<String> parts = new ArrayList<>();
      if (!publication.tables().isEmpty()) {
        parts.add("TABLE " + publication.tables().stream().map(PublicationSql::tableEntry).collect(Collectors.joining(", ")));
      }
      if (!publication.schemas().isEmpty()) {
        parts.add("TABLES IN SCHEMA " + publication.schemas().stream().map(Identifiers::quote).collect(Collectors.joining(", ")));
      }
      return String.join(", ", parts);
    } catch (IllegalArgumentException e) {
      throw invalidSpec(publication.name(), e);
    }
  }

  private static String name(DesiredPublication publication) {
    return quoteOrRefuse(publication.name());
  }

  private static String quoteOrRefuse(String publicationName) {
    try {
      return quote(publicationName);
    } catch (IllegalArgumentException e) {
      throw invalidSpec(publicationName, e);
    }
  }

  private static PublicationException invalidSpec(String publicationName, IllegalArgumentException e) {
    return new PublicationException(Reasons.INVALID_SPEC, "publication " + publicationName + ": " + e.getMessage());
  }

  /** Refuses what the server cannot do, naming every missing feature at once. */
  static void requireSupported(DesiredPublication publication, PostgresVersion version) {
    if (!version.atLeast(PostgresVersion.LOGICAL_REPLICATION)) {
      throw tooOld("publications need PostgreSQL 10 or newer", version);
    }
    if (publication.operations().contains(PublishOperation.TRUNCATE) && !version.atLeast(PostgresVersion.PUBLISH_TRUNCATE)) {
      throw tooOld("publishing truncate needs PostgreSQL 11 or newer", version);
    }
    if (version.atLeast(PostgresVersion.PUBLICATION_FILTERS)) {
      return;
    }
    List<String> missing = new ArrayList<>();
    if (publication.tables().stream().anyMatch(PublicationTable::hasColumnList)) {
      missing.add("column lists");
    }
    if (publication.tables().stream().anyMatch(PublicationTable::hasRowFilter)) {
      missing.add("row filters");
    }
    if (!publication.schemas().isEmpty()) {
      missing.add("TABLES IN SCHEMA");
    }
    if (!missing.isEmpty()) {
      throw tooOld(joinWithAnd(missing) + " need PostgreSQL 15 or newer", version);
    }
  }

  private static PublicationException tooOld(String what, PostgresVersion version) {
    return new PublicationException(PostgresReasons.POSTGRES_VERSION_TOO_OLD,
        what + "; the server is " + version.display());
  }

  private static String joinWithAnd(List<String> words) {
    if (words.size() == 1) {
      return words.get(0);
    }
    return String.join(", ", words.subList(0, words.size() - 1)) + " and " + words.get(words.size() - 1);
  }
}
