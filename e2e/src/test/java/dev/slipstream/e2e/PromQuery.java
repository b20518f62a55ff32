package dev.slipstream.e2e;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The series a PromQL expression (or a Grafana {@code label_values(...)} query) reads: each metric
 * name with the labels the expression matches or groups by. Enough of PromQL for dashboards:
 * selectors, functions, aggregations with {@code by}/{@code without}, ranges and Grafana variables.
 *
 * @param metrics each metric named, with the labels its selector matches on
 * @param grouping the labels of every {@code by}, {@code without}, {@code on}, {@code ignoring} and
 *     {@code group_left}/{@code group_right} clause
 */
record PromQuery(Map<String, Set<String>> metrics, Set<String> grouping) {

  private static final Pattern LABEL_VALUES = Pattern.compile(
      "^label_values\\(\\s*(?:([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*(\\{[^}]*})?\\s*,\\s*)?([a-zA-Z_][a-zA-Z0-9_]*)\\s*\\)$");
  private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)?\\s*\\{([^}]*)}");
  private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"(?:[^\"\\\\]|\\\\.)*\"");
  private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
  private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w$.\"])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");
  private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
      "bool", "offset", "and", "or", "unless", "inf", "nan");

  static PromQuery parse(String expression) {
    String text = expression.trim();
    Map<String, Set<String>> metrics = new LinkedHashMap<>();
    Set<String> grouping = new LinkedHashSet<>();
    Matcher labelValues = LABEL_VALUES.matcher(text);
    if (labelValues.matches()) {
      if (labelValues.group(1) != null) {
        Set<String> labels = matchers(labelValues.group(2) == null ? "" : labelValues.group(2));
        labels.add(labelValues.group(3));
        metrics.put(labelValues.group(1), labels);
      }
      return new PromQuery(metrics, grouping);
    }
    // Selectors first (their values are strings), then groupings, then ranges; what is left names metrics.
    Matcher selector = SELECTOR.matcher(text);
    StringBuilder rest = new StringBuilder();
    while (selector.find()) {
      String metric = selector.group(1);
      if (metric == null) {
        throw new IllegalArgumentException("a selector without a metric name in " + expression);
      }
      metrics.computeIfAbsent(metric, m -> new LinkedHashSet<>()).addAll(matchers(selector.group(2)));
      selector.appendReplacement(rest, " ");
    }
    selector.appendTail(rest);
    Matcher groups = GROUPING.matcher(rest.toString());
    StringBuilder bare = new StringBuilder();
    while (groups.find()) {
      for (String label : groups.group(1).split(",")) {
        if (!label.isBlank()) {
          grouping.add(label.trim());
        }
      }
      groups.appendReplacement(bare, " ");
    }
    groups.appendTail(bare);
    String withoutRanges = bare.toString().replaceAll("\\[[^]]*]", " ");
    Matcher identifier = IDENTIFIER.matcher(withoutRanges);
    while (identifier.find()) {
      String name = identifier.group(1);
      boolean function = identifier.group(2) != null;
      if (!function && !KEYWORDS.contains(name)) {
        metrics.computeIfAbsent(name, m -> new LinkedHashSet<>());
      }
    }
    return new PromQuery(metrics, grouping);
  }

  private static Set<String> matchers(String selector) {
    Set<String> labels = new LinkedHashSet<>();
    Matcher matcher = MATCHER.matcher(selector);
    while (matcher.find()) {
      labels.add(matcher.group(1));
    }
    return labels;
  }
}
