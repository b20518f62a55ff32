package dev.slipstream.operator.postgres;

import java.util.Objects;

/**
 * A failure talking to a tenant's database, with a reason from {@link PostgresReasons} and a
 * message meant for a condition. Messages never contain the password (see
 * {@link ConnectionSettings#redact(String)}).
 *
 * <p>Unchecked so it can travel through the operator framework's dependent resources; the
 * reconcilers catch it and turn it into status.
 */
public class DatabaseException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String reason;
  private final String sqlState;

  public DatabaseException(String reason, String message, String sqlState, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.sqlState = sqlState;
  }

  public DatabaseException(String reason, String message) {
    this(reason, message, null, null);
  }

  /** One of {@link PostgresReasons}. */
  public String reason() {
    return reason;
  }

  /** PostgreSQL's SQLSTATE when the failure came from the server or the driver, else null. */
  public String sqlState() {
    return sqlState;
  }
}
