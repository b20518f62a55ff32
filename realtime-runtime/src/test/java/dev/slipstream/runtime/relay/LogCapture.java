package dev.slipstream.runtime.relay;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** The lines the relay's loggers write during a test. */
final class LogCapture implements AutoCloseable {

  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final List<Logger> loggers = List.of((Logger) LoggerFactory.getLogger(RelayServer.class),
      (Logger) LoggerFactory.getLogger(RelayClient.class));

  LogCapture() {
    appender.start();
    loggers.forEach(logger -> logger.addAppender(appender));
  }

  /** "LEVEL message" per line, with any throwable's presence marked. */
  List<String> lines() {
    synchronized (appender) { // AppenderBase.doAppend holds the appender
      return appender.list.stream().map(event -> event.getLevel() + " " + event.getFormattedMessage()
          + (event.getThrowableProxy() == null ? "" : " [with stack trace]")).toList();
    }
  }

  @Override
  public void close() {
    loggers.forEach(logger -> logger.detachAppender(appender));
    appender.stop();
  }
}
