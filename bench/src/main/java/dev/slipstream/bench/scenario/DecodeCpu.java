package dev.slipstream.bench.scenario;

import dev.slipstream.runtime.change.ChangeEvent;
import dev.slipstream.runtime.change.ChangeSink;
import dev.slipstream.runtime.change.TransactionAssembler;
import dev.slipstream.runtime.payload.ChangeJsonEncoder;
import dev.slipstream.runtime.pgoutput.PgOutputDecoder;
import dev.slipstream.runtime.pgoutput.StreamingMode;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.util.Arrays;

/**
 * The replication thread's own CPU per row, without PostgreSQL, sockets or clients: decode a
 * pgoutput Insert of the decode scenario's ten column types, assemble it, encode its wire shape
 * (what a realtime-js subscriber gets), 1,000 rows a transaction, on one thread; thread CPU time
 * (ThreadMXBean) per million rows, the median of N rounds of a million after two not counted. Holds
 * on a busy machine where the end-to-end decode scenario's CPU figures (which include JIT, GC,
 * routing, framing and the event loops) move by more than the change being measured:
 *
 * <pre>java -cp "bench/target/classes:$(cat bench/target/classpath.txt)" dev.slipstream.bench.scenario.DecodeCpu 5</pre>
 *
 * The total of JSON bytes it prints is a check that two versions compared encode the same output.
 */
public final class DecodeCpu {

  private static final int RELATION = 16384;
  private static long bytesOut;

  private DecodeCpu() {}

  public static void main(String[] a) throws Exception {
    ChangeJsonEncoder encoder = new ChangeJsonEncoder();
    ChangeSink sink = new ChangeSink() {
      @Override
      public void accept(ChangeEvent event) {
        bytesOut += encoder.wireShape(event).length;
      }

      @Override
      public void committed(long endLsn) {
      }
    };
    PgOutputDecoder decoder = new PgOutputDecoder(1, StreamingMode.OFF);
    TransactionAssembler asm = new TransactionAssembler(sink, 64L << 20, Files.createTempDirectory("h"), Clock.systemUTC());
    asm.accept(decoder.decode(ByteBuffer.wrap(relation())));
    byte[][] rows = new byte[1000][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = insert(i);
    }
    var bean = ManagementFactory.getThreadMXBean();
    double[] results = new double[a.length > 0 ? Integer.parseInt(a[0]) : 5];
    long lsn = 0x1000000;
    for (int round = -2; round < results.length; round++) {
      long cpu = bean.getCurrentThreadCpuTime();
      for (int tx = 0; tx < 1000; tx++) {
        lsn += 0x10000;
        asm.accept(decoder.decode(ByteBuffer.wrap(begin(lsn)).slice()));
        for (byte[] row : rows) {
          asm.accept(decoder.decode(ByteBuffer.wrap(row).slice()));
        }
        asm.accept(decoder.decode(ByteBuffer.wrap(commit(lsn)).slice()));
      }
      double s = (bean.getCurrentThreadCpuTime() - cpu) / 1e9;
      if (round >= 0) {
        results[round] = s;
      }
    }
    Arrays.sort(results);
    System.out.printf("CPU s per million rows (decode+assemble+wire JSON), median of %d: %.3f (all %s), bytes %d%n",
        results.length, results[results.length / 2], Arrays.toString(results), bytesOut);
  }

  private static byte[] relation() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeByte('R');
    out.writeInt(RELATION);
    cstring(out, "public");
    cstring(out, "bench_decode");
    out.writeByte('d');
    String[] names = {"id", "amount", "ratio", "active", "body", "created_at", "day", "ref", "doc", "tags"};
    int[] typeOids = {23, 1700, 701, 16, 25, 1184, 1082, 2950, 3802, 1007};
    out.writeShort(names.length);
    for (int i = 0; i < names.length; i++) {
      out.writeByte(i == 0 ? 1 : 0);
      cstring(out, names[i]);
      out.writeInt(typeOids[i]);
      out.writeInt(-1);
    }
    return bytes.toByteArray();
  }

  private static byte[] insert(int id) throws Exception {
    String[] values = {"" + id, "12345.67", "0.5", "t", "row body text number " + id,
        "2026-12-03 15:00:00.123456+00", "2026-12-03", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        "{\"k\": " + id + ", \"s\": \"x\"}", "{1,2,3}"};
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeByte('I');
    out.writeInt(RELATION);
    out.writeByte('N');
    out.writeShort(values.length);
    for (String value : values) {
      byte[] text = value.getBytes(StandardCharsets.UTF_8);
      out.writeByte('t');
      out.writeInt(text.length);
      out.write(text);
    }
    return bytes.toByteArray();
  }

  private static byte[] begin(long lsn) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeByte('B');
    out.writeLong(lsn);
    out.writeLong(123_456_789L + lsn);
    out.writeInt((int) (lsn >> 16));
    return bytes.toByteArray();
  }

  private static byte[] commit(long lsn) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeByte('C');
    out.writeByte(0);
    out.writeLong(lsn);
    out.writeLong(lsn + 8);
    out.writeLong(123_456_789L + lsn);
    return bytes.toByteArray();
  }

  private static void cstring(DataOutputStream out, String text) throws Exception {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.writeByte(0);
  }
}
