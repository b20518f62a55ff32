package dev.slipstream.operator.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessions to tenant databases that a reconcile has finished with, kept open for a few seconds so
 * that the next reconcile of the same tenant (the publication's after the tenant's, the round after
 * the Deployment became ready) does not connect and authenticate again: a new session costs a TCP
 * connect, a SCRAM exchange (thousands of hash iterations on both sides) and a backend process, most
 * of what a reconcile costs the database.
 *
 * <p>Keyed by the whole {@link ConnectionSettings} (host, database, role, password, timeouts): a
 * rotated password never reuses a session of the old one. At most {@code capacity} sessions wait in
 * all (the oldest is closed first), none for longer than {@code maxIdle}; a session is checked with
 * a round trip before it is handed out again, and only a session left outside any transaction comes
 * back ({@link TenantDatabase#close}). What a kept session cannot notice: a password changed in the
 * database but not in the Secret fails authentication only once the session has expired.
 */
public final class IdleSessions implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(IdleSessions.class);

  /** A session waiting for its next reconcile. */
  record Idle(Connection connection, PostgresVersion version, long since) {
  }

  private final int capacity;
  private final long maxIdleNanos;
  private final Map<ConnectionSettings, Deque<Idle>> idle = new HashMap<>();
  private final ScheduledExecutorService sweeper;
  private int size;
  private boolean closed;

  /**
   * @param capacity sessions kept at most, over every database (0: none, each session is closed)
   * @param maxIdle how long one is kept unused
   */
  public IdleSessions(int capacity, Duration maxIdle) {
    this.capacity = capacity;
    this.maxIdleNanos = maxIdle.toNanos();
    // Expired sessions are closed even when no reconcile comes by: an idle operator holds none.
    this.sweeper = capacity == 0 ? null : Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "slipstream-idle-sessions");
      thread.setDaemon(true);
      return thread;
    });
    if (sweeper != null) {
      long period = Math.max(1, maxIdle.toMillis() / 2);
      sweeper.scheduleAtFixedRate(this::closeExpired, period, period, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * What the reconcilers share: two sessions per reconcile thread (one reconcile's, and the one
   * the next reconcile of another tenant may leave), each kept 15 s: long enough for the tenant's
   * publications to follow the tenant, short enough that an idle operator soon holds none.
   */
  public static IdleSessions forReconcileThreads(int threads) {
    return new IdleSessions(2 * threads, Duration.ofSeconds(15));
  }

  /** None kept: every session is closed when its reconcile is done. */
  public static IdleSessions none() {
    return new IdleSessions(0, Duration.ZERO);
  }

  /** A live session to {@code settings}' database, or null when none waits. */
  Idle take(ConnectionSettings settings) {
    while (true) {
      Idle candidate;
      synchronized (this) {
        Deque<Idle> sessions = idle.get(settings);
        candidate = sessions == null ? null : sessions.pollLast();
        if (candidate == null) {
          return null;
        }
        size--;
        if (sessions.isEmpty()) {
          idle.remove(settings);
        }
      }
      if (System.nanoTime() - candidate.since() < maxIdleNanos && valid(candidate.connection())) {
        return candidate;
      }
      closeQuietly(candidate.connection());
    }
  }

  /** Keeps the session for the next reconcile; false when it is not kept (the caller closes it). */
  boolean give(ConnectionSettings settings, Connection connection, PostgresVersion version) {
    Idle oldest = null;
    synchronized (this) {
      if (closed || capacity == 0) {
        return false;
      }
      idle.computeIfAbsent(settings, s -> new ArrayDeque<>()).addLast(new Idle(connection, version, System.nanoTime()));
      size++;
      if (size > capacity) {
        oldest = removeOldest();
      }
    }
    if (oldest != null) {
      closeQuietly(oldest.connection());
    }
    return true;
  }

  /** Sessions waiting now. */
  synchronized int size() {
    return size;
  }

  private Idle removeOldest() {
    Map.Entry<ConnectionSettings, Deque<Idle>> oldest = null;
    for (Map.Entry<ConnectionSettings, Deque<Idle>> entry : idle.entrySet()) {
      if (oldest == null || entry.getValue().peekFirst().since() < oldest.getValue().peekFirst().since()) {
        oldest = entry;
      }
    }
    Idle removed = oldest.getValue().pollFirst();
    if (oldest.getValue().isEmpty()) {
      idle.remove(oldest.getKey());
    }
    size--;
    return removed;
  }

  private void closeExpired() {
    List<Idle> expired = new ArrayList<>();
    synchronized (this) {
      long now = System.nanoTime();
      for (Iterator<Deque<Idle>> sessions = idle.values().iterator(); sessions.hasNext(); ) {
        Deque<Idle> deque = sessions.next();
        while (!deque.isEmpty() && now - deque.peekFirst().since() >= maxIdleNanos) {
          expired.add(deque.pollFirst());
          size--;
        }
        if (deque.isEmpty()) {
          sessions.remove();
        }
      }
    }
    expired.forEach(e -> closeQuietly(e.connection()));
  }

  /** Closes every waiting session; later ones are closed by their reconcile. */
  @Override
  public void close() {
    List<Idle> all = new ArrayList<>();
    synchronized (this) {
      closed = true;
      idle.values().forEach(all::addAll);
      idle.clear();
      size = 0;
    }
    if (sweeper != null) {
      sweeper.shutdownNow();
    }
    all.forEach(e -> closeQuietly(e.connection()));
  }

  private static boolean valid(Connection connection) {
    try {
      return connection.isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }

  private static void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (SQLException e) {
      LOG.debug("closing an idle session failed", e);
    }
  }
}
