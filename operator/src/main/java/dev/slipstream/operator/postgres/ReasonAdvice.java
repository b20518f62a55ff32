package dev.slipstream.operator.postgres;

/**
 * What a person changes to clear a failure that came back from PostgreSQL, appended to its message:
 * PostgreSQL's words say what is wrong in the database's terms, this sentence says where in the
 * resource (or the database) to fix it. Reasons whose message already says what to do (the fitness
 * checks of {@link DatabaseFacts}, {@link ReplicaIdentityRules}, the row filter pre-check) have none.
 */
final class ReasonAdvice {

  private ReasonAdvice() {
  }

  /** The advice, starting with a space, or the empty string. */
  static String forReason(String reason) {
    String advice = switch (reason) {
      case PostgresReasons.AUTHENTICATION_FAILED ->
          "Check the username and password in the tenant's credentials Secret (spec.database.credentialsSecretRef).";
      case PostgresReasons.DATABASE_NOT_FOUND -> "Correct spec.database.name of the tenant, or create the database.";
      case PostgresReasons.DATABASE_UNREACHABLE -> "Check spec.database.host and port of the tenant, that the server is "
          + "running, and that the operator's pod may reach it (NetworkPolicy, firewall); the operator retries.";
      case PostgresReasons.SERVER_CERTIFICATE_NOT_TRUSTED -> "Put the PEM certificate of the CA that signed the "
          + "server's certificate in the Secret spec.database.caSecretRef names (set the field if the tenant has none), "
          + "or correct spec.database.host if it reaches another server.";
      case PostgresReasons.SERVER_CERTIFICATE_HOST_MISMATCH -> "Set spec.database.host to a name the server's "
          + "certificate lists in its subject alternative names, or reissue the certificate for this host.";
      case PostgresReasons.SERVER_WITHOUT_TLS -> "Turn on ssl in the server's configuration, or set "
          + "spec.database.sslMode to prefer or disable.";
      case PostgresReasons.TABLE_NOT_FOUND -> "Create the table, or correct or remove it in spec.tables "
          + "(schema and name are case-sensitive).";
      case PostgresReasons.SCHEMA_NOT_FOUND -> "Create the schema, or correct the schema in spec.tables or spec.schemas.";
      case PostgresReasons.COLUMN_NOT_FOUND -> "Correct spec.tables[].columns: every column listed must exist in its table.";
      case PostgresReasons.INVALID_ROW_FILTER -> "Correct spec.tables[].where: a row filter may use the table's columns, "
          + "constants and immutable built-in operators and functions only.";
      case PostgresReasons.INSUFFICIENT_PRIVILEGE -> "The tenant's database role must own every published table "
          + "(ALTER TABLE ... OWNER TO it) and be a superuser to publish whole schemas; or put an owning role's "
          + "credentials in the tenant's Secret (spec.database.credentialsSecretRef).";
      case PostgresReasons.SLOT_ALREADY_EXISTS -> "Another slot has this name: drop it if it is unused, or set "
          + "spec.replication.slotName to another name.";
      default -> "";
    };
    return advice.isEmpty() ? "" : " " + advice;
  }
}
