package dev.slipstream.operator.postgres;

/**
 * CREATE / ALTER / DROP PUBLICATION (or the REPLICA IDENTITY change that goes with it) failed, or
 * would need a newer PostgreSQL. The message says which table and quotes PostgreSQL's own text.
 */
public class PublicationException extends DatabaseException {

  private static final long serialVersionUID = 1L;

  public PublicationException(String reason, String message, String sqlState, Throwable cause) {
    super(reason, message, sqlState, cause);
  }

  public PublicationException(String reason, String message) {
    super(reason, message);
  }
}
