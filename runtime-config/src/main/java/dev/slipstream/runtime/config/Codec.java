package dev.slipstream.runtime.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.function.ToLongFunction;

/** Parsing and writing of one kind; errors start with the variable's name. */
interface Codec<T> {

  T parse(String name, String text);

  String write(String name, T value);

  Codec<String> TEXT = new Codec<>() {
    @Override
    public String parse(String name, String text) {
      return text;
    }

    @Override
    public String write(String name, String value) {
      return value;
    }
  };

  Codec<Integer> INTEGER = new Codec<>() {
    @Override
    public Integer parse(String name, String text) {
      try {
        return Integer.parseInt(text.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(name + " must be an integer, was '" + text + "'");
      }
    }

    @Override
    public String write(String name, Integer value) {
      return Integer.toString(value);
    }
  };

  Codec<Duration> DURATION = new Codec<>() {
    @Override
    public Duration parse(String name, String text) {
      Duration total;
      try {
        total = DurationText.parse(text);
      } catch (IllegalArgumentException e) {
        total = Duration.ZERO;
      }
      if (total.isZero()) {
        throw new IllegalArgumentException(name + " must be a positive duration such as 30s, 1m or 1m30s, was '"
            + text + "'");
      }
      return total;
    }

    /** The shortest whole-unit form: {@code 1h}, {@code 1m30s}, {@code 1s500ms}. */
    @Override
    public String write(String name, Duration value) {
      if (value.isNegative() || value.isZero() || value.toNanosPart() % 1_000_000 != 0) {
        throw new IllegalArgumentException(name + " must be a positive whole number of milliseconds, was " + value);
      }
      StringBuilder text = new StringBuilder();
      long hours = value.toHours();
      if (hours > 0) {
        text.append(hours).append('h');
      }
      if (value.toMinutesPart() > 0) {
        text.append(value.toMinutesPart()).append('m');
      }
      if (value.toSecondsPart() > 0) {
        text.append(value.toSecondsPart()).append('s');
      }
      if (value.toMillisPart() > 0) {
        text.append(value.toMillisPart()).append("ms");
      }
      return text.toString();
    }
  };

  Codec<List<String>> LIST = new Codec<>() {
    @Override
    public List<String> parse(String name, String text) {
      return Arrays.stream(text.split(",")).map(String::trim).filter(item -> !item.isEmpty()).toList();
    }

    @Override
    public String write(String name, List<String> items) {
      for (String item : items) {
        if (item.isEmpty() || !item.equals(item.trim()) || item.contains(",")) {
          throw new IllegalArgumentException(name + " items must be non-empty, without commas or surrounding "
              + "spaces, was '" + item + "'");
        }
      }
      return String.join(",", items);
    }
  };

  static Codec<String> choice(List<String> choices, boolean ignoreCase) {
    String words = choices.size() == 1 ? choices.getFirst()
        : String.join(", ", choices.subList(0, choices.size() - 1)) + " or " + choices.getLast();
    return new Codec<>() {
      @Override
      public String parse(String name, String text) {
        for (String choice : choices) {
          if (ignoreCase ? choice.equalsIgnoreCase(text) : choice.equals(text)) {
            return choice;
          }
        }
        throw new IllegalArgumentException(name + " must be " + words + ", not '" + text + "'");
      }

      @Override
      public String write(String name, String value) {
        return parse(name, value);
      }
    };
  }

  /** Plain bytes or a Kubernetes-style binary suffix: 1048576, 512Ki, 1Mi, 1Gi; at most {@code max}. */
  static <N> Codec<N> bytes(long max, LongFunction<N> box, ToLongFunction<N> unbox) {
    return new Codec<>() {
      @Override
      public N parse(String name, String text) {
        String digits = text.trim();
        long unit = 1;
        for (var suffix : List.of(Map.entry("Ki", 1L << 10), Map.entry("Mi", 1L << 20), Map.entry("Gi", 1L << 30))) {
          if (digits.endsWith(suffix.getKey())) {
            unit = suffix.getValue();
            digits = digits.substring(0, digits.length() - 2);
            break;
          }
        }
        long n;
        try {
          n = Math.multiplyExact(Long.parseLong(digits), unit);
        } catch (NumberFormatException | ArithmeticException e) {
          n = -1;
        }
        if (n <= 0) {
          throw new IllegalArgumentException(name + " must be a positive byte size such as 1048576 or 1Mi, was '"
              + text + "'");
        }
        if (n > max) {
          throw new IllegalArgumentException(name + " must be at most " + max + " bytes, was '" + text + "'");
        }
        return box.apply(n);
      }

      @Override
      public String write(String name, N value) {
        long n = unbox.applyAsLong(value);
        if (n <= 0 || n > max) {
          throw new IllegalArgumentException(name + " must be between 1 and " + max + " bytes, was " + n);
        }
        return Long.toString(n);
      }
    };
  }
}
