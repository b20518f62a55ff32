package dev.slipstream.operator.reconcile;

import dev.slipstream.operator.model.InvalidTenantException;
import dev.slipstream.operator.postgres.DatabaseException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import java.util.ArrayList;
import java.util.List;

/**
 * A failure thrown out of a reconcile, as a condition shows it. The database's own failures keep
 * their reason ({@link DatabaseException#reason()}); anything else (the Kubernetes API refusing an
 * object) is {@value #RECONCILE_ERROR} with the exception's message. A workflow reports its steps'
 * failures together ({@link AggregatedOperatorException}, whose message carries stack traces): the
 * database's failure is the one shown when there is one.
 *
 * <p>The failure is looked for along each exception's cause chain, not only at its top: JOSDK's
 * Micrometer metrics wrap whatever a reconcile throws in an {@code OperatorException} whose message
 * is the wrapped exception's class name and message. Shown as is, a missing table read
 * {@code ReconcileError: dev.slipstream.operator.postgres.PublicationException: ...}; unwrapped, it
 * reads {@code TableNotFound} with PostgreSQL's words.
 *
 * @param reason the condition's reason
 * @param message the condition's message (never a stack trace or a Java class name; database
 *     messages are redacted)
 * @param fromDatabase whether the tenant's database failed, rather than Kubernetes
 */
public record Failure(String reason, String message, boolean fromDatabase) {

  /** The reason for a failure that is not the database's. */
  public static final String RECONCILE_ERROR = "ReconcileError";

  public static Failure of(Exception e) {
    List<Throwable> roots = new ArrayList<>();
    for (Exception cause : causes(e)) {
      DatabaseException database = find(cause, DatabaseException.class);
      if (database != null) {
        return new Failure(database.reason(), database.getMessage(), true);
      }
      roots.add(unwrapped(cause));
    }
    for (Throwable root : roots) {
      if (root instanceof MissingInputException missing) {
        return new Failure(missing.reason(), missing.getMessage(), false);
      }
    }
    return new Failure(RECONCILE_ERROR, String.valueOf(roots.get(0).getMessage()), false);
  }

  /**
   * Whether every cause is one that only a person can fix, outside the operator: a missing Secret or
   * tenant, an incomplete spec, a database that refuses or cannot be reached. Cleanup waits for them
   * (or for the force-delete annotation) instead of failing.
   */
  static boolean blocksCleanup(Exception e) {
    return causes(e).stream().allMatch(cause -> find(cause, MissingInputException.class) != null
        || find(cause, InvalidTenantException.class) != null || find(cause, DatabaseException.class) != null);
  }

  /** The exceptions a workflow aggregated (wherever in the chain the aggregate is), or the exception itself. */
  static List<Exception> causes(Exception e) {
    AggregatedOperatorException aggregated = find(e, AggregatedOperatorException.class);
    if (aggregated != null && !aggregated.getAggregatedExceptions().isEmpty()) {
      return List.copyOf(aggregated.getAggregatedExceptions().values());
    }
    return List.of(e);
  }

  /** The first exception of {@code type} along the cause chain (bounded: chains can be cyclic). */
  private static <T extends Throwable> T find(Throwable e, Class<T> type) {
    Throwable cause = e;
    for (int depth = 0; cause != null && depth < 16; depth++, cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return type.cast(cause);
      }
    }
    return null;
  }

  /**
   * The exception without its plain wrappers: one made as {@code new RuntimeException(cause)} (or
   * JOSDK's {@code new OperatorException(cause)}) has as message only its cause's class name and
   * message, which tells a person nothing more and shows a Java class name.
   */
  private static Throwable unwrapped(Throwable e) {
    Throwable current = e;
    for (int depth = 0; depth < 16; depth++) {
      Throwable cause = current.getCause();
      if (cause == null || cause == current
          || (current.getMessage() != null && !current.getMessage().equals(cause.toString()))) {
        return current;
      }
      current = cause;
    }
    return current;
  }
}
