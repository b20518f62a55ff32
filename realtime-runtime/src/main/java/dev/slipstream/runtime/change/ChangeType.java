package dev.slipstream.runtime.change;

/** The kind of a row change, spelled as Supabase's {@code eventType}. */
public enum ChangeType {
  INSERT,
  UPDATE,
  DELETE,
  TRUNCATE
}
