package dev.slipstream.bench.host;

import dev.slipstream.bench.core.ChildProtocol;
import dev.slipstream.bench.net.LoadGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * WebSocket clients in a process of their own, so that more connections than one process may
 * hold open files for can be made: {@code connect <port> <count> <join JSON>} opens them (answers
 * when all have joined), {@code changes} answers how many pushes they have received in all, how
 * many clients have none, and the {@link System#nanoTime} of the latest push (comparable across
 * processes on one machine), {@code close} closes them.
 */
public final class ClientsHost {

  private ClientsHost() {
  }

  public static void main(String[] args) throws Exception {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
    List<LoadGenerator.Clients> groups = new ArrayList<>();
    java.util.concurrent.atomic.AtomicLong lastReceived = new java.util.concurrent.atomic.AtomicLong();
    try (LoadGenerator generator = new LoadGenerator(threads)) {
      ChildProtocol.serve(ChildProtocol.object().put("pid", ProcessHandle.current().pid()).put("port", 0), line -> {
        String[] parts = line.split(" ", 4);
        try {
          return switch (parts[0]) {
            case "connect" -> {
              long started = System.nanoTime();
              groups.add(generator.connect(Integer.parseInt(parts[1]), "/realtime/v1/websocket?vsn=2.0.0",
                  Integer.parseInt(parts[2]), parts[3], (client, content, at) -> lastReceived.accumulateAndGet(at, Math::max), Duration.ofMinutes(4)));
              yield ChildProtocol.object().put("joined", Integer.parseInt(parts[2]))
                  .put("seconds", (System.nanoTime() - started) / 1e9);
            }
            case "changes" -> {
              long total = 0;
              long without = 0;
              long closedEarly = 0;
              for (LoadGenerator.Clients clients : groups) {
                total += clients.totalChanges();
                for (int i = 0; i < clients.size(); i++) {
                  if (clients.changes(i) == 0) {
                    without++;
                  }
                }
                closedEarly += clients.closedEarly();
              }
              yield ChildProtocol.object().put("total", total).put("without", without).put("closedEarly", closedEarly)
                  .put("last", lastReceived.get());
            }
            case "close" -> {
              groups.forEach(LoadGenerator.Clients::close);
              groups.clear();
              yield ChildProtocol.object().put("closed", true);
            }
            default -> throw new IllegalArgumentException("unknown command " + line);
          };
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      });
    }
    System.exit(0);
  }
}
