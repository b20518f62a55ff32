package dev.slipstream.operator.reconcile;

import dev.slipstream.operator.model.InvalidTenantException;
import dev.slipstream.operator.postgres.DatabaseException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import java.util.List;

/**
 * A failure thrown out of a reconcile, as a condition shows it. The database's own failures keep
 * their reason ({@link DatabaseException#reason()}); anything else (the Kubernetes API refusing an
 * object) is {@value #RECONCILE_ERROR} with the exception's message. A workflow reports its steps'
 * failures together ({@link AggregatedOperatorException}, whose message carries stack traces): the
 * database's failure is the one shown when there is one.
 *
 * @param reason the condition's reason
 * @param message the condition's message (never a stack trace; database messages are redacted)
 * @param fromDatabase whether the tenant's database failed, rather than Kubernetes
 */
public record Failure(String reason, String message, boolean fromDatabase) {

  /** The reason for a failure that is not the database's. */
  public static final String RECONCILE_ERROR = "ReconcileError";

  public static Failure of(Exception e) {
    List<Exception> causes = causes(e);
    for (Exception cause : causes) {
      if (cause instanceof DatabaseException failure) {
        return new Failure(failure.reason(), failure.getMessage(), true);
      }
    }
    return new Failure(RECONCILE_ERROR, String.valueOf(causes.get(0).getMessage()), false);
  }

  /**
   * Whether every cause is one that only a person can fix, outside the operator: a missing Secret or
   * tenant, an incomplete spec, a database that refuses or cannot be reached. Cleanup waits for them
   * (or for the force-delete annotation) instead of failing.
   */
  static boolean blocksCleanup(Exception e) {
    return causes(e).stream().allMatch(cause -> cause instanceof MissingInputException
        || cause instanceof InvalidTenantException || cause instanceof DatabaseException);
  }

  /** The exceptions a workflow aggregated, or the exception itself. */
  static List<Exception> causes(Exception e) {
    if (e instanceof AggregatedOperatorException aggregated && !aggregated.getAggregatedExceptions().isEmpty()) {
      return List.copyOf(aggregated.getAggregatedExceptions().values());
    }
    return List.of(e);
  }
}
