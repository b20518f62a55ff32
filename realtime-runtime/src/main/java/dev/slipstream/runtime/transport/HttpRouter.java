package dev.slipstream.runtime.transport;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands each complete request to the {@link HttpEndpoint} of its path; knows no endpoint itself.
 * A request the codec could not read whole gets its status at once (414 for a request line over
 * 4,096 bytes, 431 for headers over 8 KiB, 400 otherwise) and the connection is closed; so does
 * a URI with a malformed percent-escape (400), before anything reads it. Unknown paths get 404,
 * methods an endpoint does not take 405. The last handler of an HTTP pipeline: what the client's
 * bytes made anything throw ends in {@link ClientErrors}.
 */
@ChannelHandler.Sharable
public final class HttpRouter extends SimpleChannelInboundHandler<FullHttpRequest> {

  private final Map<String, HttpEndpoint> endpoints = new ConcurrentHashMap<>();

  /** Serves {@code endpoint} at {@code path} from now on (replacing what was there). */
  public void route(String path, HttpEndpoint endpoint) {
    endpoints.put(path, endpoint);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (request.decoderResult().isFailure()) {
      refuseUnreadable(ctx, request.decoderResult());
      return;
    }
    RequestUri uri;
    try {
      uri = RequestUri.parse(request.uri());
    } catch (IllegalArgumentException e) {
      // The message quotes the URI, apikey included: it goes nowhere.
      HttpResponses.sendJsonErrorAndClose(ctx, HttpResponseStatus.BAD_REQUEST,
          "malformed request URI: a percent-escape is not %XX with two hex digits, or not UTF-8");
      return;
    }
    HttpEndpoint endpoint = endpoints.get(uri.path());
    if (endpoint == null) {
      HttpResponses.sendText(ctx, request, HttpResponseStatus.NOT_FOUND, "not found\n");
    } else if (!endpoint.accepts(request.method())) {
      HttpResponses.sendText(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, request.method() + " is not served at "
          + uri.path() + "\n");
    } else {
      endpoint.handle(ctx, request, uri);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ClientErrors.caught(ctx, cause);
  }

  /** The codec gave up on the request: it says why, and the connection cannot be read further. */
  private static void refuseUnreadable(ChannelHandlerContext ctx, DecoderResult result) {
    Throwable cause = result.cause();
    if (cause instanceof TooLongHttpLineException) {
      HttpResponses.sendJsonErrorAndClose(ctx, HttpResponseStatus.REQUEST_URI_TOO_LONG,
          "request line longer than " + ClientPipeline.MAX_REQUEST_LINE + " bytes");
    } else if (cause instanceof TooLongHttpHeaderException) {
      HttpResponses.sendJsonErrorAndClose(ctx, HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
          "request headers larger than " + ClientPipeline.MAX_HEADER_BYTES + " bytes");
    } else {
      HttpResponses.sendJsonErrorAndClose(ctx, HttpResponseStatus.BAD_REQUEST, "malformed HTTP request");
    }
  }
}
