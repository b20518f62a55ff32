package dev.slipstream.runtime;

import dev.slipstream.runtime.admission.ClientAdmission;
import dev.slipstream.runtime.change.EventPosition;
import dev.slipstream.runtime.fanout.FanOut;
import dev.slipstream.runtime.fanout.FanOutMetrics;
import dev.slipstream.runtime.phoenix.Topics;
import dev.slipstream.runtime.status.PodFigures;
import dev.slipstream.runtime.transport.ConnectionMetrics;

/** The runtime's running figures as its status entry reports them; each read is thread-safe. */
record RuntimeLoad(ClientAdmission admission, Topics topics, FanOut fanOut, FanOutMetrics metrics,
    ConnectionMetrics connections) implements PodFigures.Load {

  @Override
  public long clients() {
    return admission.clients();
  }

  @Override
  public long channels() {
    return topics.size();
  }

  @Override
  public double eventsTaken() {
    return metrics.eventsIn();
  }

  @Override
  public EventPosition lastPosition() {
    return fanOut.lastPosition();
  }

  @Override
  public long replicationLagMillis() {
    return metrics.replicationLagMillis();
  }

  @Override
  public double slowClientsClosed() {
    return connections.slowClientsClosed();
  }
}
