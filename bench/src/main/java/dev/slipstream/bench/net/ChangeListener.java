package dev.slipstream.bench.net;

import io.netty.buffer.ByteBuf;

/**
 * Called on a load-generator event loop for every {@code postgres_changes} push a client receives;
 * must not block. {@code content} is the frame's payload, valid only during the call.
 */
@FunctionalInterface
public interface ChangeListener {

  void onChange(int client, ByteBuf content, long receivedNanos);
}
