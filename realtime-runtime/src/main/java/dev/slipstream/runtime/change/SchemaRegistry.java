package dev.slipstream.runtime.change;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** Numbers the table schemas that spill files refer to, so that files hold an int, not a schema. */
final class SchemaRegistry {

  private final Map<TableSchema, Integer> ids = new IdentityHashMap<>();
  private final List<TableSchema> schemas = new ArrayList<>();

  int idOf(TableSchema schema) {
    return ids.computeIfAbsent(schema, s -> {
      schemas.add(s);
      return schemas.size() - 1;
    });
  }

  TableSchema byId(int id) {
    return schemas.get(id);
  }
}
