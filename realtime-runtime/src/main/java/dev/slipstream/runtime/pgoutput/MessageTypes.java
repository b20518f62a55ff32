package dev.slipstream.runtime.pgoutput;

/** Names of pgoutput message type bytes, for error messages. */
final class MessageTypes {

  private MessageTypes() {}

  /** E.g. "Insert ('I')", or "message type 'x' (0x78)" for bytes the decoder does not accept. */
  static String describe(int type) {
    String name = switch (type) {
      case 'B' -> "Begin";
      case 'C' -> "Commit";
      case 'O' -> "Origin";
      case 'R' -> "Relation";
      case 'Y' -> "Type";
      case 'I' -> "Insert";
      case 'U' -> "Update";
      case 'D' -> "Delete";
      case 'T' -> "Truncate";
      case 'M' -> "Message";
      case 'S' -> "Stream Start";
      case 'E' -> "Stream Stop";
      case 'c' -> "Stream Commit";
      case 'A' -> "Stream Abort";
      default -> null;
    };
    return name == null ? "message type " + quote(type) : name + " ('" + (char) type + "')";
  }

  /** Why the decoder refuses a type byte it has no case for. */
  static String whyUnsupported(int type) {
    String twoPhase = switch (type) {
      case 'b' -> "Begin Prepare";
      case 'P' -> "Prepare";
      case 'K' -> "Commit Prepared";
      case 'r' -> "Rollback Prepared";
      case 'p' -> "Stream Prepare";
      default -> null;
    };
    if (twoPhase != null) {
      return "two-phase commit message " + twoPhase + " (" + quote(type)
          + ") is not supported: Slipstream never enables the two_phase option";
    }
    return "unknown pgoutput message type " + quote(type);
  }

  /** A byte as 'x' (0x78), or just 0x07 when it is not printable ASCII. */
  static String quote(int value) {
    String hex = String.format("0x%02x", value);
    return value >= 0x20 && value < 0x7f ? "'" + (char) value + "' (" + hex + ")" : hex;
  }
}
