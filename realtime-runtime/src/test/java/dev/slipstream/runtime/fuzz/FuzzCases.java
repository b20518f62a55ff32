package dev.slipstream.runtime.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The normal suite's brief run of a fuzz target: {@link #BRIEF_CASES} inputs made from the
 * target's seed corpus (the files Jazzer reads, {@code <Class>Inputs/<method>/} beside the class
 * in the test resources) by deterministic mutation, and random bytes. Not coverage guided: it
 * keeps the targets compiling and green in every build; the long, coverage-guided runs are
 * {@code bin/fuzz} (docs/fuzzing.md).
 */
public final class FuzzCases {

  public static final int BRIEF_CASES = 10_000;
  private static final int MAX_RANDOM_LENGTH = 600;

  private FuzzCases() {
  }

  /** Runs {@code target} on the seeds, then on {@code cases} inputs derived from them; returns how many ran. */
  public static int run(Class<?> testClass, String method, int cases, Consumer<byte[]> target) {
    List<byte[]> seeds = seeds(testClass, method);
    SplittableRandom random = new SplittableRandom(0x5eed ^ method.hashCode());
    int ran = 0;
    for (byte[] seed : seeds) {
      target.accept(seed.clone());
      ran++;
    }
    for (int i = 0; i < cases; i++) {
      byte[] input = seeds.isEmpty() || random.nextInt(4) == 0 ? randomBytes(random)
          : mutate(seeds.get(random.nextInt(seeds.size())), seeds, random);
      try {
        target.accept(input);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("fuzz case " + i + " failed, input (hex): " + java.util.HexFormat.of().formatHex(input), e);
      }
      ran++;
    }
    return ran;
  }

  /** The seed corpus of {@code testClass}'s fuzz test {@code method}, as Jazzer lays it out. */
  public static List<byte[]> seeds(Class<?> testClass, String method) {
    String dir = testClass.getSimpleName() + "Inputs/" + method;
    URL url = testClass.getResource(dir);
    if (url == null) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
      List<byte[]> seeds = new ArrayList<>();
      for (Path file : files.sorted().toList()) {
        seeds.add(Files.readAllBytes(file));
      }
      return seeds;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] randomBytes(SplittableRandom random) {
    byte[] bytes = new byte[random.nextInt(MAX_RANDOM_LENGTH)];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) random.nextInt(256);
    }
    return bytes;
  }

  /** One to four edits of a seed: byte flips, interesting values, insertions, deletions, truncation, splices. */
  private static byte[] mutate(byte[] seed, List<byte[]> seeds, SplittableRandom random) {
    byte[] bytes = seed.clone();
    int edits = 1 + random.nextInt(4);
    for (int e = 0; e < edits; e++) {
      int at = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
      switch (random.nextInt(7)) {
        case 0 -> {
          if (bytes.length > 0) {
            bytes[at] ^= (byte) (1 << random.nextInt(8));
          }
        }
        case 1 -> {
          if (bytes.length > 0) {
            bytes[at] = INTERESTING[random.nextInt(INTERESTING.length)];
          }
        }
        case 2 -> {
          byte[] longer = new byte[bytes.length + 1 + random.nextInt(8)];
          System.arraycopy(bytes, 0, longer, 0, at);
          for (int i = at; i < at + longer.length - bytes.length; i++) {
            longer[i] = (byte) random.nextInt(256);
          }
          System.arraycopy(bytes, at, longer, at + longer.length - bytes.length, bytes.length - at);
          bytes = longer;
        }
        case 3 -> {
          if (bytes.length > 0) {
            int cut = 1 + random.nextInt(Math.min(8, bytes.length - at));
            byte[] shorter = new byte[bytes.length - cut];
            System.arraycopy(bytes, 0, shorter, 0, at);
            System.arraycopy(bytes, at + cut, shorter, at, bytes.length - at - cut);
            bytes = shorter;
          }
        }
        case 4 -> bytes = Arrays.copyOf(bytes, at);
        case 5 -> {
          byte[] other = seeds.get(random.nextInt(seeds.size()));
          int from = other.length == 0 ? 0 : random.nextInt(other.length);
          byte[] spliced = Arrays.copyOf(bytes, at + other.length - from);
          System.arraycopy(other, from, spliced, at, other.length - from);
          bytes = spliced;
        }
        default -> {
          // a 32-bit big-endian value that length fields love: negative, huge, just over what is there
          if (bytes.length >= 4) {
            int value = switch (random.nextInt(4)) {
              case 0 -> -1;
              case 1 -> Integer.MAX_VALUE;
              case 2 -> bytes.length;
              default -> 0x80000000;
            };
            int pos = random.nextInt(bytes.length - 3);
            bytes[pos] = (byte) (value >>> 24);
            bytes[pos + 1] = (byte) (value >>> 16);
            bytes[pos + 2] = (byte) (value >>> 8);
            bytes[pos + 3] = (byte) value;
          }
        }
      }
    }
    return bytes;
  }

  private static final byte[] INTERESTING = {0, 1, 2, 0x7f, (byte) 0x80, (byte) 0xff, '"', '{', '[', ',', '.', '=',
      '(', ')', '%', '&', '-', 'e', 'n', 't', 'u', 'b'};
}
