package dev.slipstream.operator.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.NativeQuery;
import org.postgresql.core.Parser;

/**
 * Runs one statement of SQL text the operator built (DDL, which PostgreSQL cannot take as bind
 * parameters), and never more than one, whatever the text holds.
 *
 * <p>Two guards, so that neither the driver's reading of the text nor the server's alone decides:
 * <ol>
 *   <li>pgjdbc splits text at top-level semicolons and would send each part as its own statement;
 *       the text is split here with pgjdbc's own parser (and the session's
 *       {@code standard_conforming_strings}, as the driver reads it) and refused unless it is one;
 *   <li>the connection uses the extended query protocol ({@link ConnectionSettings#properties()}),
 *       where the statement travels in one Parse message: should the server read two statements
 *       where the driver read one, it refuses with "cannot insert multiple commands into a prepared
 *       statement" instead of running them. The simple protocol would run them all.
 * </ol>
 * Names are quoted ({@link Identifiers}) and the one piece of user SQL, a row filter, is checked
 * ({@link RowFilters}) before the text gets here; this is the last guard, not the only one.
 */
final class OneStatement {

  private OneStatement() {
  }

  static void execute(Connection connection, String sql) throws SQLException {
    requireOne(connection, sql);
    try (Statement statement = connection.createStatement()) {
      // A row filter is user text: no JDBC escape rewriting of {...} inside it.
      statement.setEscapeProcessing(false);
      statement.execute(sql);
    }
  }

  /** Refuses (SQLSTATE 42601) text that pgjdbc would send as anything but exactly one statement. */
  static void requireOne(Connection connection, String sql) throws SQLException {
    boolean standardStrings = !connection.isWrapperFor(BaseConnection.class)
        || connection.unwrap(BaseConnection.class).getStandardConformingStrings();
    List<NativeQuery> statements = Parser.parseJdbcSql(sql, standardStrings, false, true, false, false);
    if (statements.size() != 1) {
      // 42601, syntax_error: what the server answers for several commands in one Parse message.
      throw new SQLException("refusing SQL text that holds " + statements.size()
          + " statements where one was built: " + sql, "42601");
    }
  }
}
