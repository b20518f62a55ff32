package dev.slipstream.operator.model;

import java.util.Random;

/** Random Kubernetes object names for the name-derivation loops (jqwik is not on the operator's path). */
final class KubernetesNames {

  private static final String ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";

  private KubernetesNames() {
  }

  /** A DNS-1123 label of the given length: [a-z0-9-], starting and ending alphanumeric, dashes often doubled. */
  static String label(Random random, int length) {
    StringBuilder out = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      boolean edge = i == 0 || i == length - 1;
      out.append(!edge && random.nextInt(5) == 0 ? '-' : ALNUM.charAt(random.nextInt(random.nextBoolean() ? 3 : 36)));
    }
    return out.toString();
  }

  /** A DNS-1123 subdomain of about the given length: labels joined by dots. */
  static String subdomain(Random random, int length) {
    StringBuilder out = new StringBuilder(length);
    while (out.length() < length) {
      if (!out.isEmpty()) {
        out.append('.');
      }
      int remaining = Math.max(1, length - out.length());
      out.append(label(random, random.nextInt(4) == 0 ? Math.min(remaining, 1 + random.nextInt(8)) : remaining));
    }
    return out.toString();
  }
}
