package dev.slipstream.runtime.relay;

/** What a peer sent, made safe for a log line: printable ASCII, bounded. */
final class Logs {

  private static final int MAX = 80;

  private Logs() {
  }

  static String safe(String text) {
    StringBuilder safe = new StringBuilder(Math.min(text.length(), MAX + 3));
    for (int i = 0; i < text.length() && i < MAX; i++) {
      char c = text.charAt(i);
      safe.append(c >= 0x20 && c < 0x7F ? c : '?');
    }
    return text.length() > MAX ? safe.append("...").toString() : safe.toString();
  }
}
