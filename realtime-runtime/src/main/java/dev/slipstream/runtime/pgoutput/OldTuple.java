package dev.slipstream.runtime.pgoutput;

import java.util.Objects;

/**
 * The old row an Update or Delete carries before its new row (Update) or alone (Delete).
 *
 * @param kind which of the two submessages it came from
 * @param tuple the values
 */
public record OldTuple(Kind kind, TupleData tuple) {

  public OldTuple {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(tuple, "tuple");
  }

  /** pgoutput sends 'O' exactly when the table's replica identity is FULL, 'K' otherwise. */
  public enum Kind {
    /**
     * 'K': the replica identity key columns (DEFAULT or INDEX identity) of the old row, the other
     * columns 'n'. An Update sends it only when a key column changed.
     */
    KEY('K'),
    /** 'O': the whole old row (REPLICA IDENTITY FULL). */
    FULL('O');

    private final char marker;

    Kind(char marker) {
      this.marker = marker;
    }

    /** The submessage byte on the wire. */
    public char marker() {
      return marker;
    }
  }
}
