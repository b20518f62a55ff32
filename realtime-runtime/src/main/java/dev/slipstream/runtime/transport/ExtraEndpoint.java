package dev.slipstream.runtime.transport;

import java.util.concurrent.CompletableFuture;

/**
 * An additional POST endpoint (dev mode's "insert a demo row"). The handler must not block the
 * event loop: it returns at once and completes the future from its own thread.
 */
public interface ExtraEndpoint {

  String path();

  /** Handles the request body; completes with the JSON response body, or exceptionally with a client-facing error. */
  CompletableFuture<String> handle(String body);
}
