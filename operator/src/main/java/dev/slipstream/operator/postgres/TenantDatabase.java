package dev.slipstream.operator.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to a tenant's database, as the tenant's role, and everything the operator does
 * there: check fitness, manage the replication slot, manage publications.
 *
 * <p>Meant to be short-lived (open, do one reconcile's work, close) and used by one thread; the
 * session underneath may outlive it in {@link IdleSessions}. Every
 * wait is bounded by {@link ConnectionSettings.Timeouts}, so an unreachable host or a stuck
 * statement costs a reconciler thread seconds, not forever. Every failure is a
 * {@link DatabaseException} (a {@link PublicationException} for publications) whose reason comes
 * from {@link PostgresReasons}.
 */
public final class TenantDatabase implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TenantDatabase.class);

  /** Attempts to drop a slot that a backend holds (it may reconnect between terminate and drop). */
  private static final int DROP_ATTEMPTS = 5;

  private final Connection connection;
  private final ConnectionSettings settings;
  private final PostgresVersion version;
  private final PublicationStore publications;

  /** Where the session goes when closed; {@link IdleSessions#none()} for a session that is closed. */
  private final IdleSessions idle;

  private TenantDatabase(Connection connection, ConnectionSettings settings, PostgresVersion version, IdleSessions idle) {
    this.connection = connection;
    this.settings = settings;
    this.version = version;
    this.idle = idle;
    this.publications = new PublicationStore(connection, settings, version);
  }

  /**
   * A session that waited in {@code idle} since an earlier reconcile, or a new one ({@link
   * #open(ConnectionSettings)}); {@link #close} gives it back to {@code idle}.
   */
  public static TenantDatabase open(ConnectionSettings settings, IdleSessions idle) {
    IdleSessions.Idle waiting = idle.take(settings);
    if (waiting != null) {
      return new TenantDatabase(waiting.connection(), settings, waiting.version(), idle);
    }
    return connect(settings, idle);
  }

  /**
   * Connects and prepares the session (timeouts, {@code standard_conforming_strings = on}).
   *
   * @throws DatabaseException DatabaseUnreachable, AuthenticationFailed, DatabaseNotFound or
   *     DatabaseError
   */
  public static TenantDatabase open(ConnectionSettings settings) {
    return connect(settings, IdleSessions.none());
  }

  private static TenantDatabase connect(ConnectionSettings settings, IdleSessions idle) {
    Connection connection;
    try {
      connection = DriverManager.getConnection(settings.jdbcUrl(), settings.properties());
    } catch (SQLException e) {
      throw SqlFailures.connect(e, settings);
    }
    try (PreparedStatement session = connection.prepareStatement(CatalogSql.SESSION_SETTINGS);
        Statement statement = connection.createStatement()) {
      session.setString(1, String.valueOf(settings.timeouts().statement().toMillis()));
      session.setString(2, String.valueOf(settings.timeouts().lock().toMillis()));
      session.executeQuery().close();
      try (ResultSet rs = statement.executeQuery(CatalogSql.VERSION)) {
        rs.next();
        return new TenantDatabase(connection, settings, new PostgresVersion(rs.getInt(1), rs.getString(2)), idle);
      }
    } catch (SQLException e) {
      closeQuietly(connection);
      throw SqlFailures.query(e, settings, "preparing the session");
    }
  }

  public PostgresVersion version() {
    return version;
  }

  /**
   * The database's fitness for logical replication, for the tenant's slot.
   *
   * @param slotName the tenant's slot, or null: when it exists it needs no free slot, and when it
   *     is being streamed it needs no free WAL sender
   */
  public DatabaseFacts check(String slotName) {
    try (PreparedStatement query = connection.prepareStatement(CatalogSql.FACTS)) {
      query.setString(1, slotName);
      try (ResultSet rs = query.executeQuery()) {
        if (!rs.next()) {
          // pg_roles hides no role from its own member; an empty result means the catalog is unusual.
          throw new DatabaseException(PostgresReasons.DATABASE_ERROR, "role " + settings.user()
              + " is not visible in pg_roles on " + settings.endpoint());
        }
        return new DatabaseFacts(new PostgresVersion(rs.getInt("version_num"), rs.getString("version")),
            rs.getString("database"), rs.getString("wal_level"),
            rs.getInt("max_replication_slots"), rs.getInt("replication_slots_used"),
            rs.getInt("max_wal_senders"), rs.getInt("wal_senders_used"),
            rs.getString("role"), rs.getBoolean("rolreplication"), rs.getBoolean("rolsuper"),
            rs.getBoolean("can_create"), slotName, (Boolean) rs.getObject("slot_active"));
      }
    } catch (SQLException e) {
      throw SqlFailures.query(e, settings, "checking the database");
    }
  }

  /** The slot's state, or empty when there is no slot of that name. */
  public Optional<SlotState> slot(String name) {
    try (PreparedStatement query = connection.prepareStatement(SlotSql.select(version))) {
      query.setString(1, name);
      try (ResultSet rs = query.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(new SlotState(rs.getString("slot_name"), rs.getString("plugin"), rs.getString("slot_type"),
            rs.getString("database"), rs.getBoolean("active"), (Integer) rs.getObject("active_pid"),
            rs.getString("wal_status"), rs.getString("restart_lsn"), rs.getString("confirmed_flush_lsn"),
            (Long) rs.getObject("lag_bytes"), (Boolean) rs.getObject("failover"),
            SlotState.StandbySlots.of(rs.getString("synchronized_standby_slots"), rs.getString("unusable_standby_slots"))));
      }
    } catch (SQLException e) {
      throw SqlFailures.query(e, settings, "reading replication slot " + name);
    }
  }

  /** Creates a pgoutput slot that is not a failover slot; see {@link #createSlot(String, boolean)}. */
  public SlotState createSlot(String name) {
    return createSlot(name, false);
  }

  /**
   * Creates a pgoutput slot. PostgreSQL waits for transactions open at that moment to finish
   * before the slot is consistent; {@code statement_timeout} bounds that wait.
   *
   * @param failover make it a failover slot; ignored before PostgreSQL 17, which has none (the
   *     tenant's FailoverReady condition says so)
   * @throws DatabaseException SlotAlreadyExists, NoFreeReplicationSlots, WalLevelNotLogical,
   *     RoleLacksReplication, ...
   */
  public SlotState createSlot(String name, boolean failover) {
    boolean asFailoverSlot = failover && version.atLeast(PostgresVersion.FAILOVER_SLOTS);
    LOG.info("{}: creating replication slot {}{}", settings.endpoint(), name, asFailoverSlot ? " (failover)" : "");
    try {
      connection.setAutoCommit(false);
      try (Statement local = connection.createStatement();
          PreparedStatement create = connection.prepareStatement(asFailoverSlot ? SlotSql.CREATE_WITH_FAILOVER
              : SlotSql.CREATE)) {
        // The wait for open transactions is a wait on their locks; it blocks no one else, so only
        // statement_timeout bounds it, not the short lock_timeout meant for DDL.
        local.execute("SET LOCAL lock_timeout = 0");
        create.setString(1, name);
        if (asFailoverSlot) {
          create.setBoolean(2, true);
        }
        create.executeQuery().close();
        connection.commit();
      } catch (SQLException e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw SqlFailures.createSlot(e, settings, name);
    }
    return slot(name).orElseThrow(() -> new DatabaseException(PostgresReasons.DATABASE_ERROR,
        "replication slot " + name + " vanished right after it was created"));
  }

  /**
   * Makes the slot a failover slot, or no longer one, keeping its position (PostgreSQL 17+); ends
   * the backend streaming from it for a moment ({@link SlotFailoverSwitch}).
   *
   * @return the slot as it is afterwards
   * @throws DatabaseException SlotInUse, or what PostgreSQL said
   */
  public SlotState setFailover(String name, boolean failover) {
    LOG.info("{}: setting failover = {} on replication slot {}", settings.endpoint(), failover, name);
    SlotFailoverSwitch.set(settings, connection, version, name, failover);
    return slot(name).orElseThrow(() -> new DatabaseException(PostgresReasons.DATABASE_ERROR,
        "replication slot " + name + " vanished while its failover setting changed"));
  }

  /**
   * Drops the slot, first terminating the backend streaming from it (the runtime reconnects and
   * finds no slot; that is the point of dropping it).
   *
   * @return whether a slot was dropped (false when there was none)
   * @throws DatabaseException SlotInUse when a backend keeps taking the slot back
   */
  public boolean dropSlot(String name) {
    for (int attempt = 1; ; attempt++) {
      try {
        try (PreparedStatement terminate = connection.prepareStatement(SlotSql.terminateActiveBackend(version))) {
          terminate.setString(1, name);
          terminate.executeQuery().close();
        }
        try (PreparedStatement drop = connection.prepareStatement(SlotSql.DROP)) {
          drop.setString(1, name);
          try (ResultSet rs = drop.executeQuery()) {
            boolean dropped = rs.next();
            if (dropped) {
              LOG.info("{}: dropped replication slot {}", settings.endpoint(), name);
            }
            return dropped;
          }
        }
      } catch (SQLException e) {
        // 55006: still active, the terminated backend has not let go yet or a new one took it.
        if (!"55006".equals(e.getSQLState())) {
          throw SqlFailures.query(e, settings, "dropping replication slot " + name);
        }
        if (attempt == DROP_ATTEMPTS) {
          throw new DatabaseException(PostgresReasons.SLOT_IN_USE, "replication slot " + name + " is still in use after "
              + DROP_ATTEMPTS + " attempts to terminate its backend: " + SqlFailures.postgresMessage(e), e.getSQLState(), e);
        }
        pause(200L * attempt);
      }
    }
  }

  /** The publication as it exists, or empty when there is none. */
  public Optional<PublicationState> publication(String name) {
    try {
      return publications.read(name);
    } catch (SQLException e) {
      throw SqlFailures.query(e, settings, "reading publication " + name);
    }
  }

  /**
   * Creates the publication or alters it to match, sets REPLICA IDENTITY FULL when asked, and
   * checks that the tenant's UPDATEs and DELETEs stay possible; all in one transaction, so a
   * failure changes nothing.
   *
   * @throws PublicationException with PostgreSQL's message: InvalidRowFilter, TableNotFound,
   *     SchemaNotFound, ColumnNotFound, PostgresVersionTooOld, ReplicaIdentityInsufficient,
   *     InsufficientPrivilege, LockTimeout, PublicationError
   */
  public PublicationChange apply(DesiredPublication desired) {
    try {
      return publications.apply(desired);
    } catch (SQLException e) {
      throw SqlFailures.publication(e, settings, null, desired);
    }
  }

  /** {@code DROP PUBLICATION IF EXISTS}; returns whether there was one. */
  public boolean dropPublication(String name) {
    try {
      return publications.drop(name);
    } catch (SQLException e) {
      throw SqlFailures.query(e, settings, "dropping publication " + name);
    }
  }

  /**
   * Gives the session to the {@link IdleSessions} it came from when it is reusable as it was opened
   * (outside any transaction, in autocommit), closes it otherwise.
   */
  @Override
  public void close() {
    if (!reusable() || !idle.give(settings, connection, version)) {
      closeQuietly(connection);
    }
  }

  private boolean reusable() {
    try {
      return !connection.isClosed() && connection.getAutoCommit()
          && connection.unwrap(BaseConnection.class).getTransactionState() == TransactionState.IDLE;
    } catch (SQLException e) {
      return false;
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DatabaseException(PostgresReasons.DATABASE_ERROR, "interrupted while dropping a replication slot");
    }
  }

  private static void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (SQLException e) {
      LOG.debug("closing a connection failed", e);
    }
  }
}
