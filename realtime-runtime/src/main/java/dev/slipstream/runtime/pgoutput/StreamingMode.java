package dev.slipstream.runtime.pgoutput;

/**
 * The {@code streaming} option that was sent to pgoutput, which decides which messages and fields
 * can appear on the wire.
 *
 * <p>An enum rather than two booleans so "parallel but not streaming" cannot be expressed.
 */
public enum StreamingMode {
  /** Large transactions arrive only after commit, between Begin and Commit. */
  OFF("off", 1),
  /**
   * In-progress transactions may arrive in Stream Start/Stop blocks whose messages carry the xid,
   * finished by Stream Commit or Stream Abort. Needs protocol version 2 or later.
   */
  ON("on", 2),
  /**
   * Like {@link #ON}; with protocol version 4, Stream Abort also carries the abort LSN and time.
   * PostgreSQL requires protocol version 4 for it.
   */
  PARALLEL("parallel", 4);

  private final String optionValue;
  private final int minimumProtocolVersion;

  StreamingMode(String optionValue, int minimumProtocolVersion) {
    this.optionValue = optionValue;
    this.minimumProtocolVersion = minimumProtocolVersion;
  }

  /** The value to send as the pgoutput {@code streaming} option. */
  public String optionValue() {
    return optionValue;
  }

  /** The lowest {@code proto_version} PostgreSQL accepts with this mode. */
  public int minimumProtocolVersion() {
    return minimumProtocolVersion;
  }
}
