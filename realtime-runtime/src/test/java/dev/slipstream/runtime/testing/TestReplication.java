package dev.slipstream.runtime.testing;

import dev.slipstream.runtime.replication.ReplicationSettings;
import dev.slipstream.testing.postgres.TestPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

/** Replication settings for an in-process runtime on the embedded server: quick reconnects, a temporary spill directory. */
public final class TestReplication {

  private TestReplication() {
  }

  public static ReplicationSettings settings(TestPostgres postgres, String slot, String publication) {
    try {
      return new ReplicationSettings(postgres.host(), postgres.port(), postgres.database(), postgres.user(),
          postgres.password(), "disable", slot, List.of(publication), 64L << 20, Files.createTempDirectory("spill"),
          Duration.ofMillis(500), Duration.ofSeconds(2));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
