package dev.slipstream.operator.postgres;

/**
 * Stable, machine-readable reasons for what can go wrong with a tenant's database. Each is meant to
 * become a condition's {@code reason} as is; the accompanying message carries the specifics.
 */
public final class PostgresReasons {

  // Connecting.
  /** Connection refused, unknown host, or no answer within the timeout. */
  public static final String DATABASE_UNREACHABLE = "DatabaseUnreachable";
  /** The server rejected the user name or password (SQLSTATE 28P01 / 28000). */
  public static final String AUTHENTICATION_FAILED = "AuthenticationFailed";
  /** The database named in the spec does not exist on the server (3D000). */
  public static final String DATABASE_NOT_FOUND = "DatabaseNotFound";
  /** Anything else PostgreSQL reported; the message is PostgreSQL's. */
  public static final String DATABASE_ERROR = "DatabaseError";

  // TLS (spec.database.sslMode, spec.database.caSecretRef).
  /** verify-full: the server's certificate does not chain to the tenant's CA (or, without one, to the JVM's CAs). */
  public static final String SERVER_CERTIFICATE_NOT_TRUSTED = "ServerCertificateNotTrusted";
  /** verify-full: the server's certificate does not name {@code spec.database.host}. */
  public static final String SERVER_CERTIFICATE_HOST_MISMATCH = "ServerCertificateHostMismatch";
  /** require or verify-full, and the server does not offer TLS at all. */
  public static final String SERVER_WITHOUT_TLS = "ServerWithoutTls";

  // Fitness for logical replication (problems in DatabaseFacts, and failures creating a slot).
  /** The server, or a feature asked for, needs a newer PostgreSQL; the message names both versions. */
  public static final String POSTGRES_VERSION_TOO_OLD = "PostgresVersionTooOld";
  /** {@code wal_level} is not {@code logical}. */
  public static final String WAL_LEVEL_NOT_LOGICAL = "WalLevelNotLogical";
  /** Every one of {@code max_replication_slots} is taken and the tenant's slot does not exist yet. */
  public static final String NO_FREE_REPLICATION_SLOTS = "NoFreeReplicationSlots";
  /** Every one of {@code max_wal_senders} is taken and the tenant's slot is not being streamed. */
  public static final String NO_FREE_WAL_SENDERS = "NoFreeWalSenders";
  /** The role has neither REPLICATION nor SUPERUSER. */
  public static final String ROLE_LACKS_REPLICATION = "RoleLacksReplication";
  /** The role may not CREATE in the database, which CREATE PUBLICATION needs. */
  public static final String ROLE_CANNOT_CREATE_PUBLICATIONS = "RoleCannotCreatePublications";

  // Slots.
  /** {@code pg_create_logical_replication_slot} found a slot of that name. */
  public static final String SLOT_ALREADY_EXISTS = "SlotAlreadyExists";
  /** A backend kept (or took back) the slot while it was being dropped. */
  public static final String SLOT_IN_USE = "SlotInUse";

  // Publications.
  /** PostgreSQL (or the operator's pre-check) rejected a row filter; the message names the table. */
  public static final String INVALID_ROW_FILTER = "InvalidRowFilter";
  /** A table named in the spec does not exist (42P01). */
  public static final String TABLE_NOT_FOUND = "TableNotFound";
  /** A schema named in the spec does not exist (3F000). */
  public static final String SCHEMA_NOT_FOUND = "SchemaNotFound";
  /** A column of a column list does not exist (42703). */
  public static final String COLUMN_NOT_FOUND = "ColumnNotFound";
  /**
   * Publishing as asked would make PostgreSQL refuse the tenant's own UPDATEs or DELETEs on a table
   * (no replica identity, or one that a row filter or column list does not fit).
   */
  public static final String REPLICA_IDENTITY_INSUFFICIENT = "ReplicaIdentityInsufficient";
  /** The role lacks a privilege the statement needs (42501): table ownership, superuser for schemas. */
  public static final String INSUFFICIENT_PRIVILEGE = "InsufficientPrivilege";
  /** Another session held a conflicting lock longer than the operator's {@code lock_timeout} (55P03). */
  public static final String LOCK_TIMEOUT = "LockTimeout";
  /** Any other error from CREATE/ALTER/DROP PUBLICATION; the message is PostgreSQL's. */
  public static final String PUBLICATION_ERROR = "PublicationError";

  private PostgresReasons() {
  }
}
