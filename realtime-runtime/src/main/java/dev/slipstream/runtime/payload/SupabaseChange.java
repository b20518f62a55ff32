package dev.slipstream.runtime.payload;

import dev.slipstream.runtime.change.ChangeEvent;
import dev.slipstream.runtime.fanout.ChangeShape;

/**
 * The two shapes of a change Supabase's clients know (see {@link ChangeJsonEncoder}): what an
 * application (and an SSE client) receives, and what a Phoenix {@code postgres_changes} push carries.
 */
public enum SupabaseChange implements ChangeShape {

  /** {@code {schema, table, commit_timestamp, eventType, new, old, errors}}: SSE, applications. */
  CLIENT {
    @Override
    public byte[] encode(ChangeEvent event) {
      return ENCODER.get().clientShape(event);
    }
  },

  /** {@code {schema, table, commit_timestamp, type, columns, record, old_record, errors}}: the Phoenix push's data. */
  WIRE {
    @Override
    public byte[] encode(ChangeEvent event) {
      return ENCODER.get().wireShape(event);
    }
  };

  /** The encoder reuses its buffers: one per thread (the replication thread, each replaying loop). */
  private static final ThreadLocal<ChangeJsonEncoder> ENCODER = ThreadLocal.withInitial(ChangeJsonEncoder::new);
}
