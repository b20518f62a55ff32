package dev.slipstream.runtime.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * One environment variable of the runtime: its name, {@link Kind}, default, whether it is required, and a one-line
 * description. The runtime reads it with {@link #read(Map)}; the operator writes it with {@link #write}. An unset or
 * blank variable counts as not set. Errors are {@link IllegalArgumentException}s whose message starts with the
 * variable's name; a {@link Kind#SECRET} value never appears in one.
 *
 * @param <T> the parsed value: {@code String}, {@code Integer}, {@code Long} (byte counts), {@code Duration} or
 *     {@code List<String>}
 */
public final class Setting<T> {

  private static final Pattern NAME = Pattern.compile("SLIPSTREAM_[A-Z0-9_]+");

  /** How an unset variable is read. */
  private enum Presence { REQUIRED, DEFAULT, COMPUTED_DEFAULT, OPTIONAL }

  private final String name;
  private final Kind kind;
  private final Codec<T> codec;
  private final List<String> choices;
  private final Presence presence;
  private final String defaultText;
  private final T defaultValue;
  private final String description;

  private Setting(Builder<T> builder, Presence presence, String defaultText, String description) {
    this.name = builder.name;
    this.kind = builder.kind;
    this.codec = builder.codec;
    this.choices = builder.choices;
    this.presence = presence;
    this.defaultText = defaultText;
    this.description = Objects.requireNonNull(description, "description");
    if (description.isBlank() || description.contains("\n")) {
      throw new IllegalArgumentException(name + ": the description must be one line");
    }
    this.defaultValue = presence == Presence.DEFAULT ? parse(defaultText) : null;
  }

  /** Text, used as given. */
  public static Builder<String> text(String name) {
    return new Builder<>(name, Kind.TEXT, List.of(), Codec.TEXT);
  }

  /** Text that the operator maps from a Secret and that no message ever shows. */
  public static Builder<String> secret(String name) {
    return new Builder<>(name, Kind.SECRET, List.of(), Codec.TEXT);
  }

  /** A decimal {@code int}; the value's own checks (positive, a port) are the reader's. */
  public static Builder<Integer> integer(String name) {
    return new Builder<>(name, Kind.INTEGER, List.of(), Codec.INTEGER);
  }

  /** A positive byte count, {@code 1048576} or {@code 1Mi}. */
  public static Builder<Long> bytes(String name) {
    return new Builder<>(name, Kind.BYTES, List.of(), Codec.bytes(Long.MAX_VALUE, Long::valueOf, Long::longValue));
  }

  /** A positive byte count that fits an {@code int} (Netty's frame limits take one). */
  public static Builder<Integer> intBytes(String name) {
    return new Builder<>(name, Kind.BYTES, List.of(),
        Codec.bytes(Integer.MAX_VALUE, n -> (int) n, Integer::longValue));
  }

  /** A positive duration such as {@code 30s}, {@code 1m30s} or {@code 500ms}. */
  public static Builder<Duration> duration(String name) {
    return new Builder<>(name, Kind.DURATION, List.of(), Codec.DURATION);
  }

  /** Comma-separated items. */
  public static Builder<List<String>> list(String name) {
    return new Builder<>(name, Kind.LIST, List.of(), Codec.LIST);
  }

  /** One of {@code choices}, spelled exactly as listed. */
  public static Builder<String> choice(String name, String... choices) {
    return new Builder<>(name, Kind.CHOICE, List.of(choices), Codec.choice(List.of(choices), false));
  }

  /** One of {@code choices} in any case; read as spelled in the list. */
  public static Builder<String> choiceIgnoringCase(String name, String... choices) {
    return new Builder<>(name, Kind.CHOICE, List.of(choices), Codec.choice(List.of(choices), true));
  }

  /** The variable's name, {@code SLIPSTREAM_...}. */
  public String name() {
    return name;
  }

  public Kind kind() {
    return kind;
  }

  /** Whether the runtime refuses to start without it ({@code "<name> must be set"}). */
  public boolean required() {
    return presence == Presence.REQUIRED;
  }

  /** What an unset variable reads as, when that is a fixed value. */
  public Optional<T> defaultValue() {
    return Optional.ofNullable(defaultValue);
  }

  /**
   * The default as documented: the fixed default as written ({@code 5432}, {@code 1Mi}, {@code 30s}), or in words
   * when the runtime computes it ({@code half the JVM's direct memory}); empty when required or without default.
   */
  public Optional<String> documentedDefault() {
    return Optional.ofNullable(defaultText);
  }

  /** One line: what the variable sets. */
  public String description() {
    return description;
  }

  /** The accepted words of a {@link Kind#CHOICE}; empty for other kinds. */
  public List<String> choices() {
    return choices;
  }

  /**
   * The variable's value in {@code env}: parsed when set; when not, the default, or {@code null} for an optional
   * variable without one. Reads {@code env} by name only ({@link Map#get}).
   *
   * @throws IllegalArgumentException naming the variable when it is required and not set, or malformed
   * @throws IllegalStateException for a setting whose default the runtime computes: use {@link #read(Map, Supplier)}
   */
  public T read(Map<String, String> env) {
    if (presence == Presence.COMPUTED_DEFAULT) {
      throw new IllegalStateException(name + " has a computed default (" + defaultText + "): read it with a fallback");
    }
    return read(env, () -> defaultValue);
  }

  /** {@link #read(Map)}, with {@code fallback} giving the value of an unset variable that is not required. */
  public T read(Map<String, String> env, Supplier<? extends T> fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      if (presence == Presence.REQUIRED) {
        throw new IllegalArgumentException(name + " must be set");
      }
      return fallback.get();
    }
    return parse(value);
  }

  /** Parses a value as the runtime does. */
  public T parse(String text) {
    return codec.parse(name, Objects.requireNonNull(text, name));
  }

  /**
   * The value as the operator writes it, which {@link #parse} reads back as the same value: byte counts as plain
   * digits, durations in the CRD's form ({@code 1m30s}), lists comma-separated.
   *
   * @throws IllegalArgumentException naming the variable when the runtime could not read the value back (a byte count
   *     or duration that is not positive, a list item with a comma, a word that is not a choice)
   */
  public String write(T value) {
    return codec.write(name, Objects.requireNonNull(value, name));
  }

  /**
   * {@code text} unchanged, once checked to be what the runtime parses: for values the operator holds as written,
   * such as the CRD's durations ({@code 60s} stays {@code 60s}).
   */
  public String writeChecked(String text) {
    parse(text);
    return text;
  }

  @Override
  public String toString() {
    return name;
  }

  /** A setting's name and kind, waiting for whether it is required and what it means. */
  public static final class Builder<T> {

    private final String name;
    private final Kind kind;
    private final List<String> choices;
    private final Codec<T> codec;

    private Builder(String name, Kind kind, List<String> choices, Codec<T> codec) {
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("a runtime variable is named SLIPSTREAM_..., not '" + name + "'");
      }
      this.name = name;
      this.kind = kind;
      this.choices = choices;
      this.codec = codec;
    }

    /** The runtime does not start without it. */
    public Setting<T> required(String description) {
      return new Setting<>(this, Presence.REQUIRED, null, description);
    }

    /** Unset, it reads as {@code defaultText} parsed ({@code "5432"}, {@code "1Mi"}, {@code "30s"}). */
    public Setting<T> defaultsTo(String defaultText, String description) {
      return new Setting<>(this, Presence.DEFAULT, Objects.requireNonNull(defaultText), description);
    }

    /** Unset, the runtime computes its value, as {@code inWords} says; it is read with a fallback. */
    public Setting<T> computedDefault(String inWords, String description) {
      return new Setting<>(this, Presence.COMPUTED_DEFAULT, Objects.requireNonNull(inWords), description);
    }

    /** Unset, it reads as {@code null} (or what the reader's fallback says). */
    public Setting<T> optional(String description) {
      return new Setting<>(this, Presence.OPTIONAL, null, description);
    }
  }
}
