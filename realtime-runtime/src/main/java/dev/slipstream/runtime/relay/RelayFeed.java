package dev.slipstream.runtime.relay;

import dev.slipstream.runtime.change.ChangeEvent;
import dev.slipstream.runtime.change.ChangeSink;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a follower does with the stream it receives, whichever leader sends it: feeds the sink what
 * it has not had yet, in order, and appends it to the pod's backlog. Lives across connections (it
 * holds the follower's {@link Progress}); runs on the client's event loop only. Once {@link #stop}ped
 * it calls nothing.
 */
final class RelayFeed {

  private static final Logger log = LoggerFactory.getLogger(RelayClient.class);

  private final ChangeSink sink;
  private final RelayBacklog backlog;
  private final LongConsumer onGap;
  private final Progress progress;
  private volatile StreamPoint fed;
  private volatile boolean stopped;

  RelayFeed(ChangeSink sink, RelayBacklog backlog, LongConsumer onGap, StreamPoint from) {
    this.sink = sink;
    this.backlog = backlog;
    this.onGap = onGap;
    this.progress = new Progress(from);
    this.fed = from;
  }

  void stop() {
    stopped = true;
  }

  /** The end LSN of the last transaction fed: what HELLO resumes from and ACK acknowledges. */
  long lastEndLsn() {
    return progress.lastEnd();
  }

  /** Readable from any thread. */
  StreamPoint fed() {
    return fed;
  }

  /**
   * WELCOME: the stream starts at {@code startLsn}. A follower that had nothing takes it as its
   * starting point (the start of the leader's backlog, which is replayed to it); one that had
   * something is told of a gap, if any, by GAP.
   */
  void welcome(long startLsn, long serverWalEnd) {
    if (stopped) {
      return;
    }
    if (!progress.started()) {
      progress.skipTo(startLsn);
      fed = progress.point();
    }
    sink.streamStartsAt(startLsn, serverWalEnd);
    backlog.streamStartsAt(startLsn, serverWalEnd);
  }

  void chunk(ByteBuf frame) {
    List<ChangeEvent> events = ChunkReader.read(Frames.body(frame));
    for (ChangeEvent event : events) {
      if (stopped) {
        return;
      }
      if (progress.isNew(event.position())) {
        sink.accept(event);
        progress.accepted(event.position());
      }
    }
    backlog.appendReceived(frame, events);
  }

  void commit(long endLsn) {
    if (stopped) {
      return;
    }
    if (progress.commitIsNew(endLsn)) {
      sink.committed(endLsn);
      progress.committed(endLsn);
      fed = progress.point();
    }
    backlog.committed(endLsn); // it keeps its own account: it may lack what the sink has
  }

  /** Nothing up to {@code lsn} will come; ignored when the follower has everything up to it. */
  void gap(long lsn) {
    if (stopped || !Lsn.after(lsn, progress.lastEnd())) {
      return;
    }
    log.info("Relay gap: the leader no longer has the transactions after LSN {} up to LSN {}",
        Lsn.format(progress.lastEnd()), Lsn.format(lsn));
    onGap.accept(lsn);
    backlog.gap(lsn);
    progress.skipTo(lsn);
    fed = progress.point();
  }
}
