package dev.slipstream.operator.postgres;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads and changes publications over one connection of a {@link TenantDatabase}. */
final class PublicationStore {

  private static final Logger LOG = LoggerFactory.getLogger(PublicationStore.class);

  private final Connection connection;
  private final ConnectionSettings settings;
  private final PostgresVersion version;

  PublicationStore(Connection connection, ConnectionSettings settings, PostgresVersion version) {
    this.connection = connection;
    this.settings = settings;
    this.version = version;
  }

  Optional<PublicationState> read(String name) throws SQLException {
    Set<PublishOperation> operations = EnumSet.noneOf(PublishOperation.class);
    boolean allTables;
    String comment;
    try (PreparedStatement header = prepare(CatalogSql.publication(version), name); ResultSet rs = header.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      addIf(operations, rs.getBoolean("pubinsert"), PublishOperation.INSERT);
      addIf(operations, rs.getBoolean("pubupdate"), PublishOperation.UPDATE);
      addIf(operations, rs.getBoolean("pubdelete"), PublishOperation.DELETE);
      addIf(operations, rs.getBoolean("pubtruncate"), PublishOperation.TRUNCATE);
      allTables = rs.getBoolean("puballtables");
      comment = rs.getString("comment");
    }
    List<PublicationTable> members = new ArrayList<>();
    try (PreparedStatement query = prepare(CatalogSql.members(version), name); ResultSet rs = query.executeQuery()) {
      while (rs.next()) {
        members.add(new PublicationTable(new TableName(rs.getString(1), rs.getString(2)),
            strings(rs.getArray("columns")), rs.getString("row_filter")));
      }
    }
    List<String> schemas = new ArrayList<>();
    String schemasSql = CatalogSql.schemas(version);
    if (schemasSql != null) {
      try (PreparedStatement query = prepare(schemasSql, name); ResultSet rs = query.executeQuery()) {
        while (rs.next()) {
          schemas.add(rs.getString(1));
        }
      }
    }
    return Optional.of(new PublicationState(name, operations, allTables, members, schemas, publishedTables(name), comment));
  }

  /** Creates or alters the publication to match, in one transaction: all of it happens or none. */
  PublicationChange apply(DesiredPublication desired) throws SQLException {
    connection.setAutoCommit(false);
    try {
      List<String> executed = new ArrayList<>();
      executed.addAll(PublicationPlan.statements(desired, read(desired.name()), version));
      executed.forEach(sql -> execute(sql, desired));
      if (desired.replicaIdentityFull()) {
        // After the publication change, so tables it just gained (a schema's too) are included.
        for (PublishedTableState table : publishedTables(desired.name())) {
          if (table.replicaIdentity() != ReplicaIdentity.FULL) {
            String sql = PublicationSql.replicaIdentityFull(table.table());
            execute(sql, desired);
            executed.add(sql);
          }
        }
      }
      List<String> problems = ReplicaIdentityRules.problems(identityCoverage(desired.name()), desired.operations());
      if (!problems.isEmpty()) {
        throw new PublicationException(PostgresReasons.REPLICA_IDENTITY_INSUFFICIENT,
            "publication " + desired.name() + (executed.isEmpty() ? "" : " was not changed") + ": "
                + String.join("; ", problems));
      }
      if (!executed.isEmpty()) {
        List<PublicationTable> stored = read(desired.name()).orElseThrow().members();
        execute(PublicationSql.comment(desired.name(), PublicationPlan.marker(desired, stored)), desired);
      }
      connection.commit();
      return new PublicationChange(executed, read(desired.name()).orElseThrow());
    } catch (SQLException | RuntimeException e) {
      rollbackQuietly();
      throw e;
    } finally {
      restoreAutoCommit();
    }
  }

  boolean drop(String name) throws SQLException {
    boolean existed = read(name).isPresent();
    String sql = PublicationSql.drop(name);
    LOG.info("{}: {}", settings.endpoint(), sql);
    OneStatement.execute(connection, sql);
    return existed;
  }

  private void execute(String sql, DesiredPublication desired) {
    LOG.info("{}: {}", settings.endpoint(), sql);
    try {
      OneStatement.execute(connection, sql);
    } catch (SQLException e) {
      throw SqlFailures.publication(e, settings, sql, desired);
    }
  }

  private List<PublishedTableState> publishedTables(String name) throws SQLException {
    List<PublishedTableState> tables = new ArrayList<>();
    try (PreparedStatement query = prepare(CatalogSql.publishedTables(version), name); ResultSet rs = query.executeQuery()) {
      while (rs.next()) {
        tables.add(new PublishedTableState(new TableName(rs.getString(1), rs.getString(2)),
            strings(rs.getArray("columns")), rs.getString("row_filter"),
            ReplicaIdentity.fromCode(rs.getString("relreplident"))));
      }
    }
    return tables;
  }

  private List<ReplicaIdentityRules.TableIdentity> identityCoverage(String name) throws SQLException {
    List<ReplicaIdentityRules.TableIdentity> tables = new ArrayList<>();
    try (PreparedStatement query = prepare(CatalogSql.identityCoverage(version), name); ResultSet rs = query.executeQuery()) {
      while (rs.next()) {
        Array columnList = rs.getArray("column_list");
        tables.add(new ReplicaIdentityRules.TableIdentity(new TableName(rs.getString(1), rs.getString(2)),
            ReplicaIdentity.fromCode(rs.getString("relreplident")), strings(rs.getArray("identity_columns")),
            columnList == null ? null : strings(columnList), strings(rs.getArray("filter_columns"))));
      }
    }
    return tables;
  }

  private PreparedStatement prepare(String sql, String parameter) throws SQLException {
    PreparedStatement statement = connection.prepareStatement(sql);
    statement.setString(1, parameter);
    return statement;
  }

  private void restoreAutoCommit() {
    try {
      connection.setAutoCommit(true);
    } catch (SQLException e) {
      // A broken connection; the caller already has the failure that matters and closes it.
      LOG.debug("cannot restore autocommit on {}", settings.endpoint(), e);
    }
  }

  private void rollbackQuietly() {
    try {
      connection.rollback();
    } catch (SQLException e) {
      LOG.debug("rollback failed on {}", settings.endpoint(), e);
    }
  }

  private static List<String> strings(Array array) throws SQLException {
    return array == null ? List.of() : Arrays.asList((String[]) array.getArray());
  }

  private static <T> void addIf(Set<T> set, boolean condition, T value) {
    if (condition) {
      set.add(value);
    }
  }
}
