package dev.slipstream.runtime.hostile;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * One HTTP exchange over a plain socket, bytes exactly as given (a request the JDK's client would
 * refuse to send: a bad percent-escape, an 8 KiB header, a garbage request line), read within a
 * deadline. A streaming response (SSE) is read only briefly: its head and what follows at once.
 */
public final class RawHttp {

  /**
   * @param status the status code, or -1 when no status line arrived in time
   * @param problem why there is no status: "timed out after ...", "eof", "reset: ..."
   */
  public record Response(int status, String head, String body, long millis, String problem) {

    public String header(String name) {
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }

    public String statusLine() {
      return head.isEmpty() ? "(none: " + problem + ")" : head.lines().findFirst().orElse("");
    }
  }

  private RawHttp() {
  }

  /** A GET of {@code target} (path and query, sent as is) with the given extra header lines. */
  public static Response get(int port, String target, String extraHeaders, Duration timeout) {
    String request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n" + extraHeaders
        + "Connection: close\r\n\r\n";
    return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1), timeout);
  }

  public static Response exchange(int port, byte[] request, Duration timeout) {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    try (Socket socket = RawWebSocket.openSocket(port, 0, null)) {
      try {
        socket.getOutputStream().write(request);
        socket.getOutputStream().flush();
      } catch (IOException e) {
        // the server may answer (and close) before it has read everything: read what it said
      }
      InputStream in = new BufferedInputStream(socket.getInputStream());
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int matched = 0;
      try {
        while (matched < 4) {
          socket.setSoTimeout(remainingMillis(deadline));
          int b = in.read();
          if (b < 0) {
            return new Response(-1, head.toString(StandardCharsets.ISO_8859_1), "", millisSince(start), "eof");
          }
          head.write(b);
          matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
              ? matched + 1 : (b == '\r' ? 1 : 0);
        }
      } catch (SocketTimeoutException e) {
        return new Response(-1, head.toString(StandardCharsets.ISO_8859_1), "", millisSince(start),
            "timed out after " + timeout.toMillis() + " ms");
      } catch (IOException e) {
        return new Response(-1, head.toString(StandardCharsets.ISO_8859_1), "", millisSince(start),
            "reset: " + e.getMessage());
      }
      String headText = head.toString(StandardCharsets.ISO_8859_1);
      int status;
      try {
        status = Integer.parseInt(headText.substring(9, 12));
      } catch (RuntimeException e) {
        return new Response(-1, headText, "", millisSince(start), "not an HTTP status line");
      }
      long headMillis = millisSince(start);
      Response partial = new Response(status, headText, "", headMillis, null);
      String length = partial.header("Content-Length");
      String type = partial.header("Content-Type");
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      try {
        if (length != null) {
          int n = Integer.parseInt(length);
          socket.setSoTimeout(remainingMillis(deadline));
          body.writeBytes(in.readNBytes(n));
        } else {
          boolean stream = type != null && type.toLowerCase(Locale.ROOT).startsWith("text/event-stream");
          // A stream never ends: take what comes within a moment. Otherwise read to the end.
          long bodyDeadline = stream ? Math.min(deadline, System.nanoTime() + 500_000_000L) : deadline;
          byte[] buffer = new byte[8192];
          while (body.size() < 1 << 20) {
            socket.setSoTimeout(remainingMillis(bodyDeadline));
            int n = in.read(buffer);
            if (n < 0) {
              break;
            }
            body.write(buffer, 0, n);
          }
        }
      } catch (IOException e) {
        // a timeout or reset ends the body; the head is what matters
      }
      return new Response(status, headText, body.toString(StandardCharsets.UTF_8), headMillis, null);
    } catch (IOException e) {
      return new Response(-1, "", "", millisSince(start), "cannot connect: " + e.getMessage());
    }
  }

  private static int remainingMillis(long deadlineNanos) throws SocketTimeoutException {
    long left = (deadlineNanos - System.nanoTime()) / 1_000_000;
    if (left <= 0) {
      throw new SocketTimeoutException("deadline passed");
    }
    return (int) Math.min(Integer.MAX_VALUE, left);
  }

  private static long millisSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
