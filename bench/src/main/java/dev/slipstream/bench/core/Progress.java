package dev.slipstream.bench.core;

import java.time.LocalTime;
import java.time.temporal.ChronoUnit;

/** One line per step on stdout, so a long run shows where it is. */
public final class Progress {

  private Progress() {
  }

  public static void step(String what) {
    System.out.println("    " + LocalTime.now().truncatedTo(ChronoUnit.MILLIS) + " " + what);
  }
}
