package dev.slipstream.operator.postgres;

import dev.slipstream.api.v1alpha1.Operation;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** A DML operation a publication publishes: one word of {@code WITH (publish = '...')}. */
public enum PublishOperation {
  INSERT,
  UPDATE,
  DELETE,
  TRUNCATE;

  /** The word PostgreSQL's {@code publish} parameter uses. */
  public String sqlName() {
    return name().toLowerCase(Locale.ROOT);
  }

  static PublishOperation from(Operation operation) {
    return valueOf(operation.name());
  }

  /** The value of the {@code publish} parameter, in PostgreSQL's canonical order. */
  static String publishParameter(Set<PublishOperation> operations) {
    Set<PublishOperation> ordered = EnumSet.noneOf(PublishOperation.class);
    ordered.addAll(operations);
    return ordered.stream().map(PublishOperation::sqlName).collect(Collectors.joining(", "));
  }

  static Set<PublishOperation> all() {
    return EnumSet.allOf(PublishOperation.class);
  }

  /** Whether PostgreSQL needs a replica identity for them (it refuses UPDATE/DELETE on the table otherwise). */
  static boolean needIdentity(Collection<PublishOperation> operations) {
    return operations.contains(UPDATE) || operations.contains(DELETE);
  }
}
