package dev.slipstream.runtime.pgoutput;

/**
 * The bytes are not a pgoutput message this decoder can accept: truncated, oversized counts,
 * unknown or unsupported message types, trailing bytes, or a message that does not fit the
 * negotiated protocol state. It is the only exception the decoder lets escape for any input, so a
 * caller can treat it as "the replication stream is corrupt or not what we negotiated": log it
 * and reconnect, never skip the message.
 */
public final class PgOutputDecodeException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public PgOutputDecodeException(String message) {
    super(message);
  }

  public PgOutputDecodeException(String message, Throwable cause) {
    super(message, cause);
  }
}
