package dev.slipstream.dev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipstream.runtime.RealtimeRuntime;
import dev.slipstream.runtime.RealtimeRuntime.RuntimeSettings;
import dev.slipstream.runtime.replication.ReplicationSettings;
import dev.slipstream.runtime.transport.HttpEndpoint;
import dev.slipstream.runtime.transport.HttpResponses;
import dev.slipstream.runtime.transport.RealtimeServer;
import dev.slipstream.runtime.transport.RequestUri;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bin/dev}: an embedded PostgreSQL 17 with a {@code messages} table, its publication and
 * slot, the runtime streaming from it, and a demo page at {@code http://localhost:4000/} that shows
 * every change live and can insert rows. Nothing to install, nothing to configure.
 */
public final class DevMode implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DevMode.class);
  static final String PUBLICATION = "slipstream_dev";
  static final String SLOT = "slipstream_dev";
  static final String INSERT_PATH = "/dev/messages";

  private final EmbeddedPostgres postgres;
  private final RealtimeRuntime runtime;
  private final ExecutorService jdbc = Executors.newSingleThreadExecutor(r -> new Thread(r, "dev-jdbc"));

  private DevMode(int port) throws IOException, SQLException, InterruptedException {
    Path data = Files.createTempDirectory("slipstream-dev-pg");
    postgres = EmbeddedPostgres.builder()
        .setDataDirectory(data)
        .setCleanDataDirectory(true)
        .setServerConfig("wal_level", "logical")
        .setServerConfig("max_replication_slots", "10")
        .setServerConfig("max_wal_senders", "10")
        // Zonky's default (off) holds a commit back from the walsender until the WAL writer flushes.
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("timezone", "UTC")
        .start();
    createSchema();
    runtime = RealtimeRuntime.start(new RuntimeSettings(
        new ReplicationSettings("localhost", postgres.getPort(), "postgres", "postgres", "postgres", "disable", SLOT,
            List.of(PUBLICATION), ReplicationSettings.DEFAULT_STREAMED_MEMORY_LIMIT,
            Files.createTempDirectory("slipstream-dev-spill"), Duration.ofSeconds(1), Duration.ofSeconds(5)),
        new RealtimeServer.Settings("127.0.0.1", port, 1 << 20, 1 << 20, Duration.ofSeconds(15)),
        10_000));
    HttpEndpoint page = HttpEndpoint.of("text/html; charset=utf-8", demoPage());
    runtime.route("/", page).route("/index.html", page).route(INSERT_PATH, new InsertMessage());
  }

  public static DevMode start(int port) throws IOException, SQLException, InterruptedException {
    return new DevMode(port);
  }

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(System.getenv().getOrDefault("SLIPSTREAM_PORT", "4000"));
    DevMode dev = start(port);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      dev.close();
      stopped.countDown();
    }, "shutdown"));
    System.out.printf("""

        Slipstream dev mode is running.
          Demo page:  http://localhost:%1$d/
          SSE:        curl -N 'http://localhost:%1$d/realtime/v1/sse?table=messages'
          WebSocket:  ws://localhost:%1$d/realtime/v1/websocket?vsn=2.0.0   (realtime-js endpoint http://localhost:%1$d/realtime/v1)
          PostgreSQL: psql 'postgresql://postgres:postgres@localhost:%2$d/postgres'
                      then: INSERT INTO messages (room, author, body) VALUES ('lobby', 'you', 'hello');
        Ctrl-C stops it.
        %n""", dev.port(), dev.postgresPort());
    stopped.await();
  }

  public int port() {
    return runtime.port();
  }

  public int postgresPort() {
    return postgres.getPort();
  }

  public RealtimeRuntime runtime() {
    return runtime;
  }

  private void createSchema() throws SQLException {
    try (Connection conn = postgres.getPostgresDatabase().getConnection(); Statement st = conn.createStatement()) {
      st.execute("""
          CREATE TABLE messages (
            id bigserial PRIMARY KEY,
            room text NOT NULL DEFAULT 'lobby',
            author text NOT NULL,
            body text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now())""");
      st.execute("ALTER TABLE messages REPLICA IDENTITY FULL");
      st.execute("CREATE PUBLICATION " + PUBLICATION + " FOR TABLE messages");
      st.execute("SELECT pg_create_logical_replication_slot('" + SLOT + "', 'pgoutput')");
    }
  }

  private static byte[] demoPage() {
    try (InputStream in = DevMode.class.getResourceAsStream("/dev/demo.html")) {
      if (in == null) {
        throw new IllegalStateException("demo page missing from the classpath (dev/demo.html)");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    runtime.close();
    jdbc.shutdownNow();
    try {
      postgres.close();
    } catch (IOException e) {
      log.warn("Embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
    }
  }

  /**
   * {@code POST /dev/messages {"room","author","body"}}: inserts a row on the JDBC thread, then
   * answers {@code {"id": ...}} on the connection's event loop (or 400 with what was wrong).
   */
  private final class InsertMessage implements HttpEndpoint {
    private final ObjectMapper json = new ObjectMapper();

    @Override
    public boolean accepts(HttpMethod method) {
      return method.equals(HttpMethod.POST);
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, RequestUri uri) {
      String body = request.content().toString(StandardCharsets.UTF_8);
      boolean keepAlive = io.netty.handler.codec.http.HttpUtil.isKeepAlive(request);
      CompletableFuture.supplyAsync(() -> insert(body), jdbc).whenComplete((id, error) -> ctx.executor().execute(() -> {
        var answer = new io.netty.handler.codec.http.DefaultHttpRequest(request.protocolVersion(), request.method(),
            request.uri());
        io.netty.handler.codec.http.HttpUtil.setKeepAlive(answer, keepAlive);
        if (error != null) {
          Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
              ? error.getCause() : error;
          HttpResponses.sendJsonError(ctx, answer, HttpResponseStatus.BAD_REQUEST, String.valueOf(cause.getMessage()));
        } else {
          HttpResponses.send(ctx, answer, HttpResponseStatus.OK, "application/json",
              ("{\"id\":" + id + "}").getBytes(StandardCharsets.UTF_8));
        }
      }));
    }

    private long insert(String body) {
      try {
        JsonNode message = json.readTree(body);
        String author = message.path("author").asText("").trim();
        String text = message.path("body").asText("").trim();
        if (author.isEmpty() || text.isEmpty()) {
          throw new IllegalArgumentException("author and body are required");
        }
        try (Connection conn = postgres.getPostgresDatabase().getConnection();
            PreparedStatement insert = conn.prepareStatement(
                "INSERT INTO messages (room, author, body) VALUES (?, ?, ?) RETURNING id")) {
          insert.setString(1, message.path("room").asText("lobby"));
          insert.setString(2, author);
          insert.setString(3, text);
          try (ResultSet rs = insert.executeQuery()) {
            rs.next();
            return rs.getLong(1);
          }
        }
      } catch (IOException e) {
        throw new IllegalArgumentException("body must be JSON: " + e.getMessage());
      } catch (SQLException e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
    }
  }
}
