package dev.slipstream.bench.scenario;

import dev.slipstream.bench.core.Metric;
import dev.slipstream.bench.core.Options;
import dev.slipstream.bench.core.Progress;
import dev.slipstream.bench.scenario.LatencySide.Sample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The knee of each side: the rate is stepped up ({@code --kneeRates}); at each step each side still
 * holding runs {@code --kneeRounds} windows ({@code --kneeWarmupSeconds} once, then
 * {@code --kneeSeconds} each; with several rounds the sides alternate a b, b a, ...); it holds the
 * step if every delivery arrived, no client was closed and the median of its windows' p99 is under
 * {@code --kneeP99Millis}. Its knee is the highest step it held. A step the writer itself cannot
 * reach (below 95 % of the rate) ends the stepping: both knees are then "at least".
 */
final class LatencyKnee {

  record Result(List<Metric> metrics, Map<String, Long> counts, List<String> notes) {
  }

  private final int[] rates;
  private final Duration warmup;
  private final Duration window;
  private final double p99Limit;
  private final int rounds;

  LatencyKnee(Options o) {
    rates = o.integers("kneeRates", "100,200,400,800,1600,3200,6400");
    warmup = o.seconds("kneeWarmupSeconds", 2);
    window = o.seconds("kneeSeconds", 10);
    p99Limit = o.integer("kneeP99Millis", 100);
    rounds = o.integer("kneeRounds", 1);
  }

  Result find(LatencySide slipstream, LatencySide bare) throws Exception {
    LatencySide[] sides = {slipstream, bare};
    int[] knee = new int[2];
    boolean[] holding = {true, true};
    boolean writerLimited = false;
    long expected = 0;
    long delivered = 0;
    List<String> steps = new ArrayList<>();
    for (int step = 0; step < rates.length && (holding[0] || holding[1]) && !writerLimited; step++) {
      int rate = rates[step];
      Progress.step(String.format("knee: %,d rows/s", rate));
      StringBuilder line = new StringBuilder(String.format("%,d rows/s:", rate));
      List<List<Sample>> samples = List.of(new ArrayList<>(), new ArrayList<>());
      for (int round = 0; round < rounds; round++) {
        for (int k = 0; k < 2; k++) {
          int i = (step + round + k) % 2; // alternate which side goes first
          if (!holding[i]) {
            continue;
          }
          try {
            samples.get(i).add(sides[i].run(rate, round == 0 ? warmup : Duration.ZERO, window));
          } catch (IllegalStateException e) {
            holding[i] = false;
            line.append(" ").append(sides[i].name).append(" failed (").append(e.getMessage()).append(");");
          }
        }
      }
      for (int i = 0; i < 2; i++) {
        if (!holding[i]) {
          continue;
        }
        List<Sample> mine = samples.get(i);
        double[] p99s = new double[mine.size()];
        long closed = 0;
        boolean complete = true;
        for (int r = 0; r < mine.size(); r++) {
          Sample s = mine.get(r);
          expected += s.expected();
          delivered += s.delivered();
          p99s[r] = s.histogram().getValueAtPercentile(99) / 1000.0;
          closed += s.closed();
          complete &= s.complete();
          if (s.achievedRate() < rate * 0.95) {
            writerLimited = true;
          }
        }
        double p99 = median(p99s);
        boolean held = complete && closed == 0 && p99 < p99Limit && !writerLimited;
        if (held) {
          knee[i] = rate;
        } else {
          holding[i] = false;
        }
        line.append(String.format(" %s p99 %.1f ms%s%s%s;", sides[i].name, p99,
            p99s.length > 1 ? " (median of " + p99s.length + ": " + list(p99s) + ")" : "",
            closed > 0 ? String.format(", %,d clients closed", closed) : "",
            complete ? "" : ", not every delivery arrived"));
      }
      steps.add(line.toString());
    }
    List<String> notes = new ArrayList<>();
    notes.add(String.format("Knee: rates stepped %s rows/s, %s of %.0f s (after %.0f s not recorded) per "
        + "side and step, sides alternating which goes first; a side holds a step if its p99 (%s) < %.0f ms, no "
        + "client was closed and every delivery arrived. Steps: %s", join(rates),
        rounds == 1 ? "one window" : rounds + " windows", window.toMillis() / 1000.0, warmup.toMillis() / 1000.0,
        rounds == 1 ? "of the window" : "the median of the windows'", p99Limit, String.join(" ", steps)));
    if (writerLimited) {
      notes.add("The writer could not commit the last step's rate (one row per transaction): the knees of the sides "
          + "still holding are at least what is shown.");
    }
    for (int i = 0; i < 2; i++) {
      if (holding[i] && !writerLimited && knee[i] == rates[rates.length - 1]) {
        notes.add(sides[i].name + " held the highest step: its knee is at least " + knee[i] + " rows/s.");
      }
    }
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("knee_expected_deliveries", expected);
    counts.put("knee_delivered", delivered);
    counts.put("knee_slipstream", (long) knee[0]);
    counts.put("knee_bare", (long) knee[1]);
    List<Metric> metrics = List.of(Metric.of(String.format("knee: highest rate with p99 < %.0f ms and no client closed",
        p99Limit), "rows/s", knee[0], LatencyScenario.BARE, knee[1]).ratioAtLeast(0.8));
    return new Result(metrics, counts, notes);
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static String list(double[] values) {
    StringBuilder s = new StringBuilder();
    for (double v : values) {
      s.append(s.isEmpty() ? "" : ", ").append(String.format("%.1f", v));
    }
    return s.toString();
  }

  private static String join(int[] values) {
    StringBuilder s = new StringBuilder();
    for (int v : values) {
      s.append(s.isEmpty() ? "" : ", ").append(String.format("%,d", v));
    }
    return s.toString();
  }
}
