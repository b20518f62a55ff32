package dev.slipstream.runtime.hostile;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A WebSocket client over a plain {@link Socket}, for clients that misbehave: it sends frames with
 * any FIN bit, opcode, mask (or none) and length header, raw bytes, or nothing at all, and it can
 * stop reading. Unless told not to read, a virtual thread reads the server's frames and records
 * each text message with the {@link System#nanoTime()} it arrived at, the close frame's code, and
 * how the connection ended (EOF or a reset).
 */
public final class RawWebSocket implements AutoCloseable {

  /** A text message from the server and when it was read. */
  public record Message(long nanos, String text) {
  }

  /** How to connect. */
  public static final class Options {
    int receiveBufferBytes;
    boolean read = true;
    boolean keepMessages = true;
    Consumer<String> onText = text -> { };
    InetAddress source;

    /** {@link Socket#setReceiveBufferSize} before connecting: a tiny window backs the server up at once. */
    public Options receiveBuffer(int bytes) {
      this.receiveBufferBytes = bytes;
      return this;
    }

    /** Never read after the upgrade's response: the server's writes pile up. */
    public Options neverRead() {
      this.read = false;
      return this;
    }

    /** Count text messages and pass them to {@code onText} without keeping them (for floods). */
    public Options discardMessages() {
      this.keepMessages = false;
      return this;
    }

    public Options onText(Consumer<String> onText) {
      this.onText = onText;
      return this;
    }

    /** A loopback source address other than 127.0.0.1, to spread many connections. */
    public Options from(InetAddress source) {
      this.source = source;
      return this;
    }
  }

  public static Options options() {
    return new Options();
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final Object writeLock = new Object();
  private final Options options;
  private final List<Message> messages = new ArrayList<>();
  private final AtomicInteger textCount = new AtomicInteger();
  /** The server's close frame code (1005 when it had none). */
  public final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  /** Completed with "eof" or "reset: ..." when the connection is over for reading. */
  public final CompletableFuture<String> ended = new CompletableFuture<>();
  public final long connectedNanos;
  private volatile long closeFrameNanos;
  private volatile long endedNanos;

  private RawWebSocket(Socket socket, InputStream in, Options options) throws IOException {
    this.socket = socket;
    this.in = in;
    this.out = socket.getOutputStream();
    this.options = options;
    this.connectedNanos = System.nanoTime();
  }

  /** Connects to 127.0.0.1:{@code port}, upgrades {@code pathAndQuery}, and starts reading. */
  public static RawWebSocket connect(int port, String pathAndQuery) throws IOException {
    return connect(port, pathAndQuery, options());
  }

  public static RawWebSocket connect(int port, String pathAndQuery, Options options) throws IOException {
    Socket socket = openSocket(port, options.receiveBufferBytes, options.source);
    try {
      socket.setSoTimeout(15_000);
      String key = Base64.getEncoder().encodeToString(randomBytes(16));
      String request = "GET " + pathAndQuery + " HTTP/1.1\r\n"
          + "Host: 127.0.0.1:" + port + "\r\n"
          + "Upgrade: websocket\r\n"
          + "Connection: Upgrade\r\n"
          + "Sec-WebSocket-Key: " + key + "\r\n"
          + "Sec-WebSocket-Version: 13\r\n\r\n";
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
      String head = readHead(in);
      if (!head.startsWith("HTTP/1.1 101")) {
        throw new IOException("upgrade refused: " + head.lines().findFirst().orElse(head));
      }
      socket.setSoTimeout(0);
      RawWebSocket ws = new RawWebSocket(socket, in, options);
      if (options.read) {
        Thread.ofVirtual().name("raw-ws-reader-" + socket.getLocalPort()).start(ws::readLoop);
      }
      return ws;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /** A connected TCP socket to 127.0.0.1:{@code port}, nothing sent. */
  public static Socket openSocket(int port, int receiveBufferBytes, InetAddress source) throws IOException {
    Socket socket = new Socket();
    if (receiveBufferBytes > 0) {
      socket.setReceiveBufferSize(receiveBufferBytes);
    }
    if (source != null) {
      socket.bind(new InetSocketAddress(source, 0));
    }
    socket.setTcpNoDelay(true);
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
    return socket;
  }

  /** Reads an HTTP response head, byte by byte up to the blank line, so nothing after it is consumed. */
  static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed in the response head: " + head.toString(StandardCharsets.ISO_8859_1));
      }
      head.write(b);
      matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
          ? matched + 1 : (b == '\r' ? 1 : 0);
      if (head.size() > 64 * 1024) {
        throw new IOException("response head over 64 KiB");
      }
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  // ---- sending --------------------------------------------------------------------------------

  /** A masked text frame with FIN set; a failure to write is thrown unchecked. */
  public void sendText(String text) {
    try {
      sendFrame(true, 0x1, text.getBytes(StandardCharsets.UTF_8), true);
    } catch (IOException e) {
      throw new UncheckedIOException("writing to the server failed", e);
    }
  }

  public void sendFrame(boolean fin, int opcode, byte[] payload, boolean masked) throws IOException {
    sendRaw(frame(fin, opcode, payload, masked));
  }

  public void sendRaw(byte[] bytes) throws IOException {
    synchronized (writeLock) {
      out.write(bytes);
      out.flush();
    }
  }

  /** A whole client frame: header, mask key (random) when {@code masked}, payload (masked). */
  public static byte[] frame(boolean fin, int opcode, byte[] payload, boolean masked) {
    byte[] header = header(fin, opcode, payload.length, masked);
    byte[] frame = new byte[header.length + payload.length];
    System.arraycopy(header, 0, frame, 0, header.length);
    if (masked) {
      byte[] mask = java.util.Arrays.copyOfRange(header, header.length - 4, header.length);
      for (int i = 0; i < payload.length; i++) {
        frame[header.length + i] = (byte) (payload[i] ^ mask[i & 3]);
      }
    } else {
      System.arraycopy(payload, 0, frame, header.length, payload.length);
    }
    return frame;
  }

  /** A frame header announcing {@code length} payload bytes (with a random mask key when masked). */
  public static byte[] header(boolean fin, int opcode, long length, boolean masked) {
    ByteArrayOutputStream header = new ByteArrayOutputStream(14);
    header.write((fin ? 0x80 : 0) | (opcode & 0x0F));
    int maskBit = masked ? 0x80 : 0;
    if (length < 126) {
      header.write(maskBit | (int) length);
    } else if (length <= 0xFFFF) {
      header.write(maskBit | 126);
      header.write((int) (length >>> 8) & 0xFF);
      header.write((int) length & 0xFF);
    } else {
      header.write(maskBit | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        header.write((int) (length >>> shift) & 0xFF);
      }
    }
    if (masked) {
      header.writeBytes(randomBytes(4));
    }
    return header.toByteArray();
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    ThreadLocalRandom.current().nextBytes(bytes);
    return bytes;
  }

  // ---- receiving ------------------------------------------------------------------------------

  private void readLoop() {
    ByteArrayOutputStream fragments = null;
    try {
      while (true) {
        int b0 = in.read();
        if (b0 < 0) {
          end("eof");
          return;
        }
        int b1 = readByte();
        boolean fin = (b0 & 0x80) != 0;
        int opcode = b0 & 0x0F;
        long length = b1 & 0x7F;
        if (length == 126) {
          length = ((long) readByte() << 8) | readByte();
        } else if (length == 127) {
          length = 0;
          for (int i = 0; i < 8; i++) {
            length = (length << 8) | readByte();
          }
        }
        byte[] mask = (b1 & 0x80) != 0 ? in.readNBytes(4) : null;
        if (length > Integer.MAX_VALUE - 16) {
          end("reset: the server announced a frame of " + length + " bytes");
          return;
        }
        byte[] payload = in.readNBytes((int) length);
        if (payload.length < length) {
          end("eof");
          return;
        }
        if (mask != null) {
          for (int i = 0; i < payload.length; i++) {
            payload[i] ^= mask[i & 3];
          }
        }
        switch (opcode) {
          case 0x1 -> {
            if (fin) {
              deliver(payload);
            } else {
              fragments = new ByteArrayOutputStream();
              fragments.writeBytes(payload);
            }
          }
          case 0x0 -> {
            if (fragments != null) {
              fragments.writeBytes(payload);
              if (fin) {
                deliver(fragments.toByteArray());
                fragments = null;
              }
            }
          }
          case 0x8 -> {
            closeFrameNanos = System.nanoTime();
            closeCode.complete(payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005);
          }
          default -> { } // binary, ping, pong: not what these tests look at
        }
      }
    } catch (IOException e) {
      end("reset: " + e.getMessage());
    }
  }

  private int readByte() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new EOFException("eof inside a frame header");
    }
    return b;
  }

  private void deliver(byte[] utf8) {
    String text = new String(utf8, StandardCharsets.UTF_8);
    textCount.incrementAndGet();
    if (options.keepMessages) {
      synchronized (messages) {
        messages.add(new Message(System.nanoTime(), text));
      }
    }
    options.onText.accept(text);
  }

  private void end(String how) {
    endedNanos = System.nanoTime();
    ended.complete(how);
  }

  // ---- state ----------------------------------------------------------------------------------

  public List<Message> messages() {
    synchronized (messages) {
      return List.copyOf(messages);
    }
  }

  public int textCount() {
    return textCount.get();
  }

  /** Neither a close frame nor the end of the stream seen yet. */
  public boolean isOpen() {
    return !closeCode.isDone() && !ended.isDone();
  }

  /** Nanos from connecting to the close frame, or -1. */
  public long closeFrameAfterNanos() {
    return closeCode.isDone() ? closeFrameNanos - connectedNanos : -1;
  }

  /** Nanos from connecting to the end of the stream, or -1. */
  public long endedAfterNanos() {
    return ended.isDone() ? endedNanos - connectedNanos : -1;
  }

  public long closeFrameNanos() {
    return closeFrameNanos;
  }

  public long endedNanos() {
    return endedNanos;
  }

  public Socket socket() {
    return socket;
  }

  /** A short description for assertion messages: state and the last messages (each cut short). */
  public String describe() {
    List<Message> all = messages();
    StringBuilder text = new StringBuilder("socket ").append(socket.getLocalPort())
        .append(closeCode.isDone() ? ", close code " + closeCode.join() : "")
        .append(ended.isDone() ? ", ended (" + ended.join() + ")" : ", open")
        .append(", ").append(textCount()).append(" text messages");
    for (Message m : all.subList(Math.max(0, all.size() - 5), all.size())) {
      text.append("\n    ").append(m.text().length() > 300 ? m.text().substring(0, 300) + "... ("
          + m.text().length() + " chars)" : m.text());
    }
    return text.toString();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing is all we wanted
    }
  }
}
