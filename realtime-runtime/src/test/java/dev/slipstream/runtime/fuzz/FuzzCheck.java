package dev.slipstream.runtime.fuzz;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;

/**
 * What every fuzz target asserts besides "only the documented exception": one input costs
 * neither much time nor much memory. A length field that sizes an allocation before it is checked
 * against the bytes that are really there shows up here as an allocation far beyond the input's
 * size, long before it would be an OutOfMemoryError.
 */
public final class FuzzCheck {

  /** Allocation allowed for any input, plus {@link #BYTES_PER_INPUT_BYTE} per input byte. */
  static final long BASE_ALLOCATION_BYTES = 16L << 20;
  static final long BYTES_PER_INPUT_BYTE = 256;
  /** The parsers take microseconds; seconds mean a loop the input drives (or a very loaded machine). */
  static final long MAX_NANOS = 5_000_000_000L;

  private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

  private FuzzCheck() {
  }

  /**
   * Runs {@code parse} on {@code input} and fails if it took too long or allocated too much. Over
   * budget, it runs once more and fails only if the second run is over too: the first use of a
   * class (loading, static initialisers) or a GC pause on a loaded machine costs once, a length
   * field that drives an allocation or a loop costs every time.
   */
  public static void withinBudget(byte[] input, Runnable parse) {
    String problem = measure(input, parse);
    if (problem != null && measure(input, parse) != null) {
      throw new AssertionError(problem);
    }
  }

  private static String measure(byte[] input, Runnable parse) {
    long allocatedBefore = THREADS.getCurrentThreadAllocatedBytes();
    long started = System.nanoTime();
    parse.run();
    long nanos = System.nanoTime() - started;
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - allocatedBefore;
    long allowed = BASE_ALLOCATION_BYTES + BYTES_PER_INPUT_BYTE * input.length;
    if (allocated > allowed) {
      return "an input of " + input.length + " bytes allocated " + allocated + " bytes (allowed " + allowed + ")";
    }
    if (nanos > MAX_NANOS) {
      return "an input of " + input.length + " bytes took " + nanos / 1_000_000 + " ms";
    }
    return null;
  }
}
