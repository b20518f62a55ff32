package dev.slipstream.operator.postgres;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Which publication statements bring the database from what it has to what is wanted: a pure
 * function, so "nothing to do" is decided without touching the database.
 *
 * <p>Running {@code ALTER PUBLICATION ... SET TABLE} when nothing changed is not free: it takes a
 * SHARE UPDATE EXCLUSIVE lock on every listed table, which cancels a running autovacuum on them.
 * So statements are planned only for real differences. Everything is compared from the catalogs
 * except the row filter's text, which PostgreSQL stores in its own rendering; for that the
 * operator records, in the publication's comment, a fingerprint of the objects it applied and of
 * the filters PostgreSQL stored for them. A changed spec, or a filter changed by someone else,
 * no longer matches the comment.
 */
public final class PublicationPlan {

  private static final Pattern MARKER = Pattern.compile("objects ([0-9a-f]{16}), filters ([0-9a-f]{16})");

  private PublicationPlan() {
  }

  /** CREATE, or the ALTERs needed; empty when the publication already matches. */
  public static List<String> statements(DesiredPublication desired, Optional<PublicationState> actual, PostgresVersion version) {
    if (actual.isEmpty()) {
      return List.of(PublicationSql.create(desired, version));
    }
    PublicationState state = actual.get();
    if (state.allTables()) {
      throw new PublicationException(PostgresReasons.PUBLICATION_ERROR, "publication " + desired.name()
          + " exists as FOR ALL TABLES, which the operator does not manage; drop it or choose another publicationName");
    }
    List<String> statements = new ArrayList<>();
    if (!state.operations().equals(desired.operations())) {
      statements.add(PublicationSql.setPublish(desired, version));
    }
    if (!sameObjects(desired, state)) {
      statements.add(PublicationSql.setObjects(desired, version));
    }
    return statements;
  }

  /** Whether the publication matches, REPLICA IDENTITY FULL included when asked for. */
  public static boolean inSync(DesiredPublication desired, PublicationState state, PostgresVersion version) {
    return statements(desired, Optional.of(state), version).isEmpty()
        && (!desired.replicaIdentityFull()
            || state.tables().stream().allMatch(t -> t.replicaIdentity() == ReplicaIdentity.FULL));
  }

  /** The comment recording what was applied: the desired objects and the filters PostgreSQL stored. */
  public static String marker(DesiredPublication desired, List<PublicationTable> storedMembers) {
    return "Managed by Slipstream (RealtimePublication): objects " + desired.objectsFingerprint()
        + ", filters " + filtersFingerprint(storedMembers);
  }

  static boolean sameObjects(DesiredPublication desired, PublicationState state) {
    if (!new HashSet<>(desired.schemas()).equals(new HashSet<>(state.schemas()))) {
      return false;
    }
    Map<TableName, PublicationTable> wanted = byTable(desired.tables());
    Map<TableName, PublicationTable> present = byTable(state.members());
    if (!wanted.keySet().equals(present.keySet())) {
      return false;
    }
    for (PublicationTable want : wanted.values()) {
      PublicationTable have = present.get(want.table());
      if (!new HashSet<>(want.columns()).equals(new HashSet<>(have.columns()))
          || want.hasRowFilter() != have.hasRowFilter()) {
        return false;
      }
    }
    Matcher marker = MARKER.matcher(state.comment() == null ? "" : state.comment());
    return marker.find()
        && marker.group(1).equals(desired.objectsFingerprint())
        && marker.group(2).equals(filtersFingerprint(state.members()));
  }

  static String filtersFingerprint(List<PublicationTable> members) {
    return DesiredPublication.digest(members.stream()
        .filter(PublicationTable::hasRowFilter)
        .sorted((a, b) -> a.table().compareTo(b.table()))
        .map(m -> m.table().sql() + " WHERE " + m.rowFilter())
        .collect(Collectors.joining("\n")));
  }

  private static Map<TableName, PublicationTable> byTable(List<PublicationTable> tables) {
    return tables.stream().collect(Collectors.toMap(PublicationTable::table, Function.identity(), (a, b) -> b));
  }
}
