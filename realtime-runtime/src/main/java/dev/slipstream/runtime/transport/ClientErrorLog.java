package dev.slipstream.runtime.transport;

import java.util.regex.Pattern;
import org.slf4j.Logger;

/**
 * Log lines about what clients did, written so that clients cannot use them: at most
 * {@code perSecond} lines a second over the whole process (the rest are counted and the count is
 * told with the next line written), one line each with no stack trace, and no token or query
 * string in them (an exception's message may quote the request: {@code ?apikey=eyJ...}).
 */
public final class ClientErrorLog {

  private static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*(\\.[A-Za-z0-9_-]*)?");
  private static final Pattern QUERY = Pattern.compile("\\?\\S*");
  private static final int MAX_MESSAGE = 200;

  private final Logger log;
  private final int perSecond;
  private long second;
  private int written;
  private long suppressed;

  public ClientErrorLog(Logger log, int perSecond) {
    this.log = log;
    this.perSecond = perSecond;
  }

  /** Logs {@code what} at INFO unless this second's lines are used up. Any thread. */
  public void info(String what) {
    String line;
    synchronized (this) {
      long now = System.nanoTime() / 1_000_000_000L;
      if (now != second) {
        second = now;
        written = 0;
      }
      if (written >= perSecond) {
        suppressed++;
        return;
      }
      written++;
      line = suppressed == 0 ? what : what + " (" + suppressed + " similar lines suppressed before)";
      suppressed = 0;
    }
    log.info(line);
  }

  /** A throwable as one safe line: its class and its message without tokens or query strings. */
  public static String describe(Throwable error) {
    Throwable cause = error;
    while (cause.getCause() != null && cause.getCause() != cause
        && cause instanceof io.netty.handler.codec.DecoderException) {
      cause = cause.getCause();
    }
    String message = cause.getMessage();
    if (message == null) {
      return cause.getClass().getSimpleName();
    }
    return cause.getClass().getSimpleName() + ": " + redact(message);
  }

  /** Removes what could be a secret from client-derived text, and bounds its length. */
  public static String redact(String text) {
    String clean = QUERY.matcher(JWT.matcher(text).replaceAll("<token>")).replaceAll("?<query>")
        .replace('\n', ' ').replace('\r', ' ');
    return clean.length() <= MAX_MESSAGE ? clean : clean.substring(0, MAX_MESSAGE) + "...";
  }
}
