package dev.slipstream.runtime.limits;

/**
 * A client's request over one of the tenant's caps: the message is for the client, the limit for
 * {@code slipstream_limit_rejections_total}. An {@link IllegalArgumentException}, so code that
 * turns bad input into a client error handles it without knowing it.
 */
public final class LimitExceededException extends IllegalArgumentException {

  private final Limit limit;

  public LimitExceededException(Limit limit, String message) {
    super(message);
    this.limit = limit;
  }

  public Limit limit() {
    return limit;
  }
}
