package dev.slipstream.runtime.replication;

import dev.slipstream.runtime.pgoutput.StreamingMode;

/**
 * The newest pgoutput protocol a server speaks, from {@code server_version_num}: 1 up to
 * PostgreSQL 13, 2 on 14 (streaming of in-progress transactions), 3 on 15 (two-phase), 4 on 16+
 * (parallel streaming). Streaming is switched on wherever it exists, so that a huge transaction
 * reaches the runtime in pieces instead of piling up in the walsender's spill files.
 */
record ProtocolVersion(int version, StreamingMode streaming) {

  static ProtocolVersion forServer(int serverVersionNum) {
    int major = serverVersionNum / 10000;
    if (major >= 16) {
      return new ProtocolVersion(4, StreamingMode.ON);
    } else if (major == 15) {
      return new ProtocolVersion(3, StreamingMode.ON);
    } else if (major == 14) {
      return new ProtocolVersion(2, StreamingMode.ON);
    }
    return new ProtocolVersion(1, StreamingMode.OFF);
  }
}
