package dev.slipstream.runtime.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.runtime.route.ChangeFilter;
import dev.slipstream.runtime.route.PublishedColumns;
import dev.slipstream.runtime.testing.TestReplication;
import dev.slipstream.testing.postgres.TestPostgres;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The catalog of published tables against real PostgreSQL: a refresh sees a table added to the
 * publication since the last read, and refreshes asked for together share one read, spaced out
 * however many are asked for.
 */
class PublicationCatalogIT {

  @RegisterExtension
  static final TestPostgres postgres = TestPostgres.logical();

  private static final Duration SPACING = Duration.ofMillis(300);

  @Test
  void aRefreshSeesATableAddedSinceAndRefreshesShareSpacedReads() throws Exception {
    try (Connection sql = postgres.connect();
        Statement statement = sql.createStatement()) {
      statement.execute("CREATE TABLE catalog_a (id bigint PRIMARY KEY)");
      statement.execute("CREATE TABLE catalog_b (id bigint PRIMARY KEY, body text)");
      statement.execute("CREATE PUBLICATION catalog_pub FOR TABLE catalog_a");
      try (PublicationCatalog catalog = new PublicationCatalog(
          TestReplication.settings(postgres, "unused_slot", "catalog_pub"), Duration.ofHours(1), SPACING)) {
        await().atMost(Duration.ofSeconds(30)).until(() -> catalog.current().problemWith(filter("catalog_a")) == null
            && catalog.current() != PublishedColumns.UNKNOWN);
        assertThat(catalog.current().problemWith(filter("catalog_b"))).contains("is not in this tenant's publications");

        statement.execute("ALTER PUBLICATION catalog_pub ADD TABLE catalog_b");
        long before = catalog.reads();
        List<CompletableFuture<PublishedColumns>> asked = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
          asked.add(catalog.refresh());
        }
        for (CompletableFuture<PublishedColumns> answer : asked) {
          assertThat(answer.get(30, TimeUnit.SECONDS).problemWith(filter("catalog_b"))).isNull();
        }
        assertThat(catalog.reads() - before).as("50 refreshes asked together").isBetween(1L, 2L);

        // Asked for without pause for a second: reads at most once per spacing.
        long start = System.nanoTime();
        long during = catalog.reads();
        while (System.nanoTime() - start < Duration.ofSeconds(1).toNanos()) {
          catalog.refresh().get(30, TimeUnit.SECONDS);
        }
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(catalog.reads() - during).isLessThanOrEqualTo(elapsedMillis / SPACING.toMillis() + 2);
      }
    }
  }

  private static ChangeFilter filter(String table) {
    return new ChangeFilter("public", table, ChangeFilter.parseEvent("*"), null);
  }
}
