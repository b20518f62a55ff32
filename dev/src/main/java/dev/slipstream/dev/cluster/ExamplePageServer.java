package dev.slipstream.dev.cluster;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Serves examples/web/index.html (the realtime-js page of the walkthrough) on 127.0.0.1, with its
 * endpoint set to the tenant's runtime pod and a token for customer 42 filled in: the page then
 * talks to the runtime pod directly, as it would to the tenant's Service behind an Ingress. It is
 * the walkthrough's {@code python3 -m http.server -d examples/web} and the pasting, done for you.
 */
final class ExamplePageServer implements AutoCloseable {

  private static final String DEFAULT_ENDPOINT = "value=\"ws://localhost:4000/realtime/v1\"";
  private static final String TOKEN_INPUT = "<input name=\"token\"";

  private final HttpServer server;

  private ExamplePageServer(HttpServer server) {
    this.server = server;
  }

  /** Serves {@code page} at {@code /} on 127.0.0.1:{@code port} (0: any free port). */
  static ExamplePageServer start(Path page, int port, URI runtimeEndpoint, String token) throws IOException {
    String original = Files.readString(page);
    String html = original
        .replace(DEFAULT_ENDPOINT, "value=\"" + runtimeEndpoint + "\"")
        .replace(TOKEN_INPUT, TOKEN_INPUT + " value=\"" + token + "\"");
    if (!html.contains(runtimeEndpoint.toString()) || !html.contains(token)) {
      throw new IllegalStateException(page + " no longer has the endpoint input (" + DEFAULT_ENDPOINT
          + ") or the token input that cluster dev mode fills in");
    }
    byte[] body = html.getBytes(StandardCharsets.UTF_8);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    server.createContext("/", exchange -> {
      try (exchange; OutputStream out = exchange.getResponseBody()) {
        String path = exchange.getRequestURI().getPath();
        if (!path.equals("/") && !path.equals("/index.html")) {
          exchange.sendResponseHeaders(404, -1);
          return;
        }
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(200, body.length);
        out.write(body);
      }
    });
    server.start();
    return new ExamplePageServer(server);
  }

  int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
