package dev.slipstream.runtime.pgoutput;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pgoutput slot read through the SQL interface. {@code pg_logical_slot_*_binary_changes}
 * returns, in its {@code data} column, exactly the bytes a walsender would put in the payload of
 * each XLogData message, one row per pgoutput message. Each call is a new decoding session, so
 * pgoutput sends Relation (and Type) messages again before a relation's first change.
 */
record LogicalSlot(String name, Map<String, String> options) {

  /** The options Slipstream's runtime uses: protocol 4, streaming on, messages on. */
  static LogicalSlot slipstreamDefaults(String name, String publication) {
    return new LogicalSlot(name, Map.of()).with("proto_version", "4")
        .with("publication_names", publication).with("messages", "true").with("streaming", "on");
  }

  LogicalSlot {
    options = Map.copyOf(new LinkedHashMap<>(options));
  }

  LogicalSlot with(String option, String value) {
    Map<String, String> copy = new LinkedHashMap<>(options);
    copy.put(option, value);
    return new LogicalSlot(name, copy);
  }

  int protocolVersion() {
    return Integer.parseInt(options.getOrDefault("proto_version", "1"));
  }

  StreamingMode streaming() {
    String value = options.getOrDefault("streaming", "off");
    for (StreamingMode mode : StreamingMode.values()) {
      if (mode.optionValue().equals(value)) {
        return mode;
      }
    }
    throw new IllegalArgumentException("streaming=" + value);
  }

  /** The options in the form the fixture header records them. */
  String describeOptions() {
    StringBuilder text = new StringBuilder();
    options.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> text.append(text.isEmpty() ? "" : " ").append(e.getKey()).append('=')
            .append(e.getValue()));
    return text.toString();
  }

  void create(Connection connection) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(
        "SELECT pg_create_logical_replication_slot(?, 'pgoutput')")) {
      statement.setString(1, name);
      statement.execute();
    }
  }

  /** Decodes and consumes everything committed so far. */
  List<byte[]> get(Connection connection) throws SQLException {
    return changes(connection, "pg_logical_slot_get_binary_changes");
  }

  /** Decodes everything committed so far without consuming it. */
  List<byte[]> peek(Connection connection) throws SQLException {
    return changes(connection, "pg_logical_slot_peek_binary_changes");
  }

  private List<byte[]> changes(Connection connection, String function) throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT data FROM " + function + "(?, NULL, NULL");
    options.forEach((k, v) -> sql.append(", ?, ?"));
    sql.append(')');
    try (PreparedStatement statement = connection.prepareStatement(sql.toString())) {
      int index = 1;
      statement.setString(index++, name);
      for (Map.Entry<String, String> option : options.entrySet()) {
        statement.setString(index++, option.getKey());
        statement.setString(index++, option.getValue());
      }
      List<byte[]> messages = new ArrayList<>();
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          messages.add(rows.getBytes(1));
        }
      }
      return messages;
    }
  }
}
