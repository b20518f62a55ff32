package dev.slipstream.bench.core;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * The child side of {@link ChildJvm}: prints a ready answer, then answers each stdin line with
 * the handler's JSON until {@code quit} or end of input.
 */
public final class ChildProtocol {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final PrintStream OUT = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out),
      true, StandardCharsets.UTF_8);

  private ChildProtocol() {
  }

  public static ObjectNode object() {
    return JSON.createObjectNode();
  }

  public static synchronized void answer(ObjectNode answer) {
    OUT.println(ChildJvm.ANSWER + answer.toString());
  }

  /** Serves commands on the calling thread; returns on {@code quit} or when stdin closes. */
  public static void serve(ObjectNode ready, Function<String, ObjectNode> handler) throws Exception {
    answer(ready);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      line = line.trim();
      if (line.equals("quit")) {
        return;
      }
      try {
        answer(handler.apply(line));
      } catch (RuntimeException e) {
        answer(object().put("error", e.toString()));
      }
    }
  }
}
