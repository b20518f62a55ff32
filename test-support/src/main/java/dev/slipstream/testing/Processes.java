package dev.slipstream.testing;

import java.util.concurrent.TimeUnit;

/** Stopping the helper processes tests start (servers, proxies). */
public final class Processes {

  private Processes() {
  }

  /** SIGTERM, up to 10 s to exit, then SIGKILL. */
  public static void stop(Process process) {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
