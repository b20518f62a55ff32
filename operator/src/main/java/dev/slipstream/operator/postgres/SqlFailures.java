package dev.slipstream.operator.postgres;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Turns driver and server errors into {@link DatabaseException}s with a stable reason and a message
 * that names the database, the object, and PostgreSQL's own words. Every message passes through
 * {@link ConnectionSettings#redact(String)}.
 */
final class SqlFailures {

  private SqlFailures() {
  }

  static DatabaseException connect(SQLException e, ConnectionSettings settings) {
    String state = e.getSQLState();
    String where = "PostgreSQL at " + settings.endpoint();
    if ("28P01".equals(state) || "28000".equals(state)) {
      return failure(PostgresReasons.AUTHENTICATION_FAILED,
          where + " rejected role " + settings.user() + ": " + postgresMessage(e), e, settings);
    }
    if ("3D000".equals(state)) {
      return failure(PostgresReasons.DATABASE_NOT_FOUND, "database " + settings.database()
          + " does not exist on " + settings.hostAndPort() + ": " + postgresMessage(e), e, settings);
    }
    DatabaseException tls = TlsFailures.classify(e, settings);
    if (tls != null) {
      return tls;
    }
    String unreachable = unreachableDetail(e, settings);
    if (unreachable != null) {
      return failure(PostgresReasons.DATABASE_UNREACHABLE, "cannot reach " + where + ": " + unreachable, e, settings);
    }
    return failure(PostgresReasons.DATABASE_ERROR, where + ": " + postgresMessage(e), e, settings);
  }

  /** A failed read or other statement with no more specific meaning. */
  static DatabaseException query(SQLException e, ConnectionSettings settings, String doing) {
    String unreachable = unreachableDetail(e, settings);
    if (unreachable != null) {
      return failure(PostgresReasons.DATABASE_UNREACHABLE,
          "lost PostgreSQL at " + settings.endpoint() + " while " + doing + ": " + unreachable, e, settings);
    }
    return failure(PostgresReasons.DATABASE_ERROR, doing + " failed: " + postgresMessage(e), e, settings);
  }

  static DatabaseException createSlot(SQLException e, ConnectionSettings settings, String slot) {
    String doing = "creating replication slot " + slot;
    String message = doing + ": " + postgresMessage(e);
    return switch (String.valueOf(e.getSQLState())) {
      case "42710" -> failure(PostgresReasons.SLOT_ALREADY_EXISTS, message, e, settings);
      case "53400" -> failure(PostgresReasons.NO_FREE_REPLICATION_SLOTS, message, e, settings);
      case "42501" -> failure(PostgresReasons.ROLE_LACKS_REPLICATION, message, e, settings);
      case "55000" -> failure(postgresMessage(e).contains("wal_level")
          ? PostgresReasons.WAL_LEVEL_NOT_LOGICAL : PostgresReasons.DATABASE_ERROR, message, e, settings);
      case "57014" -> failure(PostgresReasons.DATABASE_ERROR, doing + " did not finish within "
          + settings.timeouts().statement().toSeconds() + " s: PostgreSQL first waits for every transaction open at that "
          + "moment to end; look for long-running or idle-in-transaction sessions in pg_stat_activity", e, settings);
      default -> query(e, settings, doing);
    };
  }

  static PublicationException publication(SQLException e, ConnectionSettings settings, String statement,
      DesiredPublication desired) {
    String pgMessage = postgresMessage(e);
    PublicationTable filtered = rowFilterAt(e, statement, desired);
    if (filtered != null) {
      return publicationFailure(PostgresReasons.INVALID_ROW_FILTER,
          "row filter of " + filtered.table() + " is invalid: " + pgMessage, e, settings);
    }
    String reason = switch (String.valueOf(e.getSQLState())) {
      case "42P01" -> PostgresReasons.TABLE_NOT_FOUND;
      case "3F000" -> PostgresReasons.SCHEMA_NOT_FOUND;
      case "42703" -> PostgresReasons.COLUMN_NOT_FOUND;
      case "42501" -> PostgresReasons.INSUFFICIENT_PRIVILEGE;
      case "55P03" -> PostgresReasons.LOCK_TIMEOUT;
      default -> unreachableDetail(e, settings) != null ? PostgresReasons.DATABASE_UNREACHABLE : PostgresReasons.PUBLICATION_ERROR;
    };
    String suffix = PostgresReasons.LOCK_TIMEOUT.equals(reason)
        ? " (another session held a conflicting lock longer than lock_timeout = "
            + settings.timeouts().lock().toMillis() + " ms; the operator retries later)"
        : "";
    return publicationFailure(reason, "publication " + desired.name() + ": " + pgMessage + suffix, e, settings);
  }

  /** PostgreSQL's message with its detail and hint, or the driver's message. */
  static String postgresMessage(SQLException e) {
    ServerErrorMessage server = e instanceof PSQLException p ? p.getServerErrorMessage() : null;
    if (server == null || server.getMessage() == null) {
      return String.valueOf(e.getMessage());
    }
    StringBuilder text = new StringBuilder(server.getMessage());
    if (server.getDetail() != null) {
      text.append(" (").append(server.getDetail()).append(')');
    }
    if (server.getHint() != null) {
      text.append(" Hint: ").append(server.getHint());
    }
    return text.toString();
  }

  /**
   * The table whose row filter the error points into. PostgreSQL reports the error's position as
   * a 1-based character offset into the statement; the statement text is known, so the filter
   * whose {@code WHERE (...)} covers that offset is the culprit.
   */
  static PublicationTable rowFilterAt(SQLException e, String statement, DesiredPublication desired) {
    ServerErrorMessage server = e instanceof PSQLException p ? p.getServerErrorMessage() : null;
    if (server == null || server.getPosition() <= 0 || statement == null) {
      return null;
    }
    int codePoints = statement.codePointCount(0, statement.length());
    int offset = statement.offsetByCodePoints(0, Math.min(server.getPosition() - 1, codePoints));
    for (PublicationTable table : desired.tables()) {
      if (!table.hasRowFilter()) {
        continue;
      }
      String entry = PublicationSql.tableEntry(table);
      int start = statement.indexOf(entry);
      if (start >= 0) {
        int filterStart = start + entry.lastIndexOf(" WHERE (" + table.rowFilter() + ")");
        if (offset >= filterStart && offset < start + entry.length()) {
          return table;
        }
      }
    }
    return null;
  }

  /** Why the server could not be reached or stopped answering; null when it did answer. */
  private static String unreachableDetail(SQLException e, ConnectionSettings settings) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof UnknownHostException) {
        return "unknown host " + settings.host();
      }
      if (cause instanceof ConnectException || cause instanceof NoRouteToHostException) {
        return "connection refused or no route to host (" + cause.getMessage() + ")";
      }
      if (cause instanceof SocketTimeoutException) {
        return "no answer within the timeout (" + cause.getMessage() + ")";
      }
    }
    String state = e.getSQLState();
    if (state != null && (state.startsWith("08") || "57P03".equals(state))) {
      String message = postgresMessage(e);
      return message.contains("timed out")
          ? "no answer within " + settings.timeouts().login().toSeconds() + " s (" + message + ")"
          : message;
    }
    return null;
  }

  static DatabaseException failure(String reason, String message, SQLException e, ConnectionSettings settings) {
    return new DatabaseException(reason, settings.redact(sentence(message) + ReasonAdvice.forReason(reason)),
        e.getSQLState(), safeCause(e, settings));
  }

  private static PublicationException publicationFailure(String reason, String message, SQLException e,
      ConnectionSettings settings) {
    return new PublicationException(reason, settings.redact(sentence(message) + ReasonAdvice.forReason(reason)),
        e.getSQLState(), safeCause(e, settings));
  }

  /** The message ending in a full stop, so the advice reads as the next sentence. */
  private static String sentence(String message) {
    return message.endsWith(".") ? message : message + ".";
  }

  /**
   * The original exception, for stack traces in the log, unless some message in its chain contains
   * the password (none of pgjdbc's do today; this keeps it so).
   */
  private static Throwable safeCause(SQLException e, ConnectionSettings settings) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      String text = cause.getMessage();
      if (text != null && !text.equals(settings.redact(text))) {
        return null;
      }
    }
    return e;
  }
}
