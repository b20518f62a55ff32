package dev.slipstream.runtime.route;

/**
 * How large a row filter a client may send: its length in characters, and the values of an
 * {@code in.(...)} list (Supabase documents 100 as well). Checked before anything else is done
 * with the text, so the work a filter causes is linear in a bounded size.
 */
public record FilterLimits(int maxLength, int maxValues) {

  public static final FilterLimits DEFAULTS = new FilterLimits(4096, 100);

  public FilterLimits {
    if (maxLength < 1 || maxValues < 1) {
      throw new IllegalArgumentException("filter limits must be positive");
    }
  }
}
