package dev.slipstream.runtime.fanout;

import dev.slipstream.runtime.change.ChangeEvent;

/**
 * The JSON of one change in each shape, computed on first use and then shared by every frame
 * that embeds it, so a change reaching many subscribers is serialised once per shape.
 */
public final class EncodedChange {

  private final ChangeEvent event;
  private final ChangeJsonEncoder encoder;
  private byte[] clientShape;
  private byte[] wireShape;

  public EncodedChange(ChangeEvent event, ChangeJsonEncoder encoder) {
    this.event = event;
    this.encoder = encoder;
  }

  /** {@code {schema, table, commit_timestamp, eventType, new, old, errors}} (SSE, applications). */
  public byte[] clientShape() {
    if (clientShape == null) {
      clientShape = encoder.clientShape(event);
    }
    return clientShape;
  }

  /** {@code {schema, table, commit_timestamp, type, columns, record, old_record, errors}} (Phoenix push). */
  public byte[] wireShape() {
    if (wireShape == null) {
      wireShape = encoder.wireShape(event);
    }
    return wireShape;
  }
}
