package dev.slipstream.runtime.transport;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;

/**
 * A request's path and query parameters, decoded once by the router before anything reads them:
 * a malformed percent-escape is the client's 400, not an exception on the way to an endpoint.
 */
public record RequestUri(String path, Map<String, List<String>> parameters) {

  /** Decodes the URI; throws {@link IllegalArgumentException} (whose message quotes it) when it is malformed. */
  public static RequestUri parse(String uri) {
    QueryStringDecoder decoder = new QueryStringDecoder(uri);
    return new RequestUri(decoder.path(), decoder.parameters());
  }

  /** The first value of a parameter, or {@code fallback}. */
  public String parameter(String name, String fallback) {
    List<String> values = parameters.get(name);
    return values == null || values.isEmpty() ? fallback : values.getFirst();
  }
}
