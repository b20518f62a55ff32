package dev.slipstream.runtime.limits;

/** The per-client shares, whose excess is throttled rather than refused. */
public enum Share {
  JOINS("maxJoinsPerSecondPerClient"),
  MESSAGES("maxEventsPerSecondPerClient"),
  INBOUND_BYTES("clientInboundBytesPerSecond");

  private final String field;

  Share(String field) {
    this.field = field;
  }

  public String field() {
    return field;
  }
}
