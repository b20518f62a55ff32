package dev.slipstream.runtime.hostile;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * A thread that writes to one socket as fast as the server takes the bytes, until stopped, until
 * {@code maxDuration} has passed, or until a write fails (the server reset or closed the
 * connection: what the suite takes as "the server closed this client"). A write blocked because the
 * server stopped reading is ended by {@link #stop()} closing the socket.
 */
final class AttackLoop implements AutoCloseable {

  private final RawWebSocket socket;
  private final LongFunction<byte[]> batch;
  private final int messagesPerBatch;
  private final long maxNanos;
  private final Thread thread;
  private final AtomicLong sent = new AtomicLong();
  final long startNanos;
  private volatile boolean running = true;
  private volatile String failure;
  private volatile long failedNanos;

  private AttackLoop(String name, RawWebSocket socket, LongFunction<byte[]> batch, int messagesPerBatch,
      Duration maxDuration) {
    this.socket = socket;
    this.batch = batch;
    this.messagesPerBatch = messagesPerBatch;
    this.maxNanos = maxDuration.toNanos();
    this.startNanos = System.nanoTime();
    this.thread = Thread.ofPlatform().name("attack-" + name).daemon().unstarted(this::run);
  }

  /**
   * Starts writing {@code batch.apply(n)} for n = 0, 1, 2, ...; each batch holds
   * {@code messagesPerBatch} messages (for the count).
   */
  static AttackLoop start(String name, RawWebSocket socket, LongFunction<byte[]> batch, int messagesPerBatch,
      Duration maxDuration) {
    AttackLoop loop = new AttackLoop(name, socket, batch, messagesPerBatch, maxDuration);
    loop.thread.start();
    return loop;
  }

  private void run() {
    long n = 0;
    try {
      while (running && System.nanoTime() - startNanos < maxNanos) {
        socket.sendRaw(batch.apply(n++));
        sent.addAndGet(messagesPerBatch);
      }
    } catch (IOException e) {
      if (running) {
        failedNanos = System.nanoTime();
        failure = e.getClass().getSimpleName() + ": " + e.getMessage();
      }
    }
  }

  /** Messages written so far. */
  long sent() {
    return sent.get();
  }

  /** A write failed while the loop was still meant to run. */
  boolean failed() {
    return failure != null;
  }

  String failure() {
    return failure;
  }

  /** Millis from the start to the failed write, or -1. */
  long failedAfterMillis() {
    return failure == null ? -1 : (failedNanos - startNanos) / 1_000_000;
  }

  boolean finished() {
    return !thread.isAlive();
  }

  /** Stops the loop; closes the socket when a write is blocked. */
  void stop() {
    running = false;
    try {
      thread.join(1_000);
      if (thread.isAlive()) {
        socket.close();
        thread.join(5_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
    socket.close();
  }
}
