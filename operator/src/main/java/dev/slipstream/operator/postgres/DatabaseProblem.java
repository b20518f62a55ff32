package dev.slipstream.operator.postgres;

/**
 * One reason a database is not fit for Slipstream.
 *
 * @param reason one of {@link PostgresReasons}
 * @param message what is wrong, with the numbers, and what fixes it
 */
public record DatabaseProblem(String reason, String message) {
}
