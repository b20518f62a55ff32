package dev.slipstream.operator.postgres;

import dev.slipstream.api.v1alpha1.Operation;
import dev.slipstream.api.v1alpha1.PublishedTable;
import dev.slipstream.api.v1alpha1.RealtimePublicationSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The publication a RealtimePublication asks for, in PostgreSQL's terms.
 *
 * @param name the publication's name (already resolved: given or derived)
 * @param tables {@code FOR TABLE} entries
 * @param schemas {@code FOR TABLES IN SCHEMA} entries
 * @param operations the {@code publish} parameter
 * @param replicaIdentityFull whether every published table should get {@code REPLICA IDENTITY FULL}
 */
public record DesiredPublication(
    String name,
    List<PublicationTable> tables,
    List<String> schemas,
    Set<PublishOperation> operations,
    boolean replicaIdentityFull) {

  public DesiredPublication {
    Objects.requireNonNull(name, "name");
    tables = tables == null ? List.of() : List.copyOf(tables);
    schemas = schemas == null ? List.of() : List.copyOf(schemas);
    Set<PublishOperation> ordered = EnumSet.noneOf(PublishOperation.class);
    ordered.addAll(operations == null ? PublishOperation.all() : operations);
    operations = Collections.unmodifiableSet(ordered);
    if (tables.isEmpty() && schemas.isEmpty()) {
      // The CRD's CEL rule says the same; PostgreSQL would create a publication of nothing.
      throw new IllegalArgumentException("publication " + name + " needs at least one table or schema");
    }
  }

  /**
   * From the resource's spec, applying the CRD's defaults for fields the API server did not fill
   * (schema {@code public}, all four operations, no REPLICA IDENTITY change).
   */
  public static DesiredPublication from(RealtimePublicationSpec spec, String resolvedName) {
    List<PublicationTable> tables = new ArrayList<>();
    for (PublishedTable table : nullToEmpty(spec.getTables())) {
      String schema = table.getSchema() == null ? "public" : table.getSchema();
      tables.add(new PublicationTable(new TableName(schema, table.getName()), table.getColumns(), table.getWhere()));
    }
    Set<PublishOperation> operations = EnumSet.noneOf(PublishOperation.class);
    if (spec.getOperations() == null) {
      operations.addAll(PublishOperation.all());
    } else {
      for (Operation operation : spec.getOperations()) {
        operations.add(PublishOperation.from(operation));
      }
    }
    return new DesiredPublication(resolvedName, tables, spec.getTablesInSchemas(), operations,
        Boolean.TRUE.equals(spec.getReplicaIdentityFull()));
  }

  /**
   * A short digest of the tables and schemas asked for, stored in the publication's comment so a
   * later reconcile can tell "unchanged" from "changed" without re-running ALTER PUBLICATION:
   * PostgreSQL stores a row filter in its own rendering ({@code status <> 'draft'} comes back as
   * {@code (status <> 'draft'::text)}), so the text cannot be compared directly. Insensitive to
   * order where PostgreSQL is.
   */
  public String objectsFingerprint() {
    List<String> parts = new ArrayList<>();
    tables.stream()
        .sorted((a, b) -> a.table().compareTo(b.table()))
        .forEach(t -> parts.add("table=" + t.table().sql() + " columns=" + columnsSorted(t) + " where=" + t.rowFilter()));
    schemas.stream().sorted().forEach(s -> parts.add("schema=" + Identifiers.quote(s)));
    return digest(String.join("\n", parts));
  }

  static String digest(String text) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  private static List<String> columnsSorted(PublicationTable table) {
    return table.columns().stream().sorted().toList();
  }

  private static <T> List<T> nullToEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }
}
