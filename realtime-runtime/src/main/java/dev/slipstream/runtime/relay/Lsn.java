package dev.slipstream.runtime.relay;

/** LSNs are unsigned 64-bit numbers, written the way PostgreSQL writes them ({@code 0/16B3748}). */
final class Lsn {

  private Lsn() {
  }

  static boolean after(long lsn, long other) {
    return Long.compareUnsigned(lsn, other) > 0;
  }

  static long max(long a, long b) {
    return after(a, b) ? a : b;
  }

  static String format(long lsn) {
    return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
  }
}
