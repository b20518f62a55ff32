package dev.slipstream.testing.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;

/**
 * A base backup of a running server made without {@code pg_basebackup} (the embedded binaries have
 * only initdb, pg_ctl and postgres): {@code pg_backup_start}, a copy of the data directory,
 * {@code pg_backup_stop} in the same session, and its label written as {@code backup_label}, as
 * PostgreSQL's "Making a Base Backup Using the Low Level API" describes. The copy leaves out what
 * that page says to leave out: the running server's pid and options files, the WAL (the standby
 * streams it through its physical slot, which reserved it before the backup started), the
 * replication slots, and temporary and shared-memory state.
 */
final class StandbyCopy {

  /** Directories whose contents are not copied (the directories themselves are). */
  private static final Set<String> EMPTIED = Set.of("pg_wal", "pg_replslot", "pg_dynshmem", "pg_notify", "pg_serial",
      "pg_snapshots", "pg_stat_tmp", "pg_subtrans");
  /** Files of the running server, not of its data. */
  private static final Set<String> SKIPPED = Set.of("postmaster.pid", "postmaster.opts", "epg-lock", "backup_label",
      "tablespace_map", "standby.signal", "recovery.signal");

  private StandbyCopy() {
  }

  /**
   * Copies {@code primary}'s data directory into {@code target} (which must be empty) as a base
   * backup, and makes it a standby ({@code standby.signal}); the caller gives it
   * {@code primary_conninfo} and {@code primary_slot_name} when starting it.
   */
  static void copy(TestPostgres primary, Path target) {
    try (Connection connection = primary.connect(); Statement statement = connection.createStatement()) {
      Path source;
      try (ResultSet rs = statement.executeQuery("SHOW data_directory")) {
        rs.next();
        source = Path.of(rs.getString(1));
      }
      // fast = true: an immediate checkpoint, not one spread over checkpoint_completion_target.
      statement.execute("SELECT pg_backup_start('slipstream standby', true)");
      copyTree(source, target);
      try (ResultSet rs = statement.executeQuery("SELECT labelfile FROM pg_backup_stop(false)")) {
        rs.next();
        Files.writeString(target.resolve("backup_label"), rs.getString(1));
      }
      Files.writeString(target.resolve("standby.signal"), "");
    } catch (SQLException e) {
      throw new IllegalStateException("base backup of the primary failed: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("copying the primary's data directory failed", e);
    }
  }

  private static void copyTree(Path source, Path target) throws IOException {
    Files.walkFileTree(source, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        Path relative = source.relativize(dir);
        // pg_wal's own subdirectories (archive_status, summaries) must exist; pg_replslot's (one per slot) must not.
        if (relative.getNameCount() >= 2 && EMPTIED.contains(relative.getName(0).toString())
            && !(relative.getNameCount() == 2 && relative.getName(0).toString().equals("pg_wal"))) {
          return FileVisitResult.SKIP_SUBTREE;
        }
        Files.createDirectories(target.resolve(relative.toString()));
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Path relative = source.relativize(file);
        boolean emptied = relative.getNameCount() > 1 && EMPTIED.contains(relative.getName(0).toString());
        if (emptied || SKIPPED.contains(relative.toString()) || relative.getFileName().toString().startsWith("pgsql_tmp")) {
          return FileVisitResult.CONTINUE;
        }
        try {
          Files.copy(file, target.resolve(relative.toString()), StandardCopyOption.COPY_ATTRIBUTES);
        } catch (NoSuchFileException gone) {
          // A file the server removed while we copied (a temporary or dropped relation): the WAL replay recreates what matters.
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw e;
      }
    });
  }
}
