/**
 * The relay: the leader pod (the only reader of the tenant's slot) carries its change stream to
 * the follower pods over one TCP connection each, so every pod's fan-out sees the same events, in
 * the same order, at the same positions. {@link dev.slipstream.runtime.relay.RelayBacklog} keeps the
 * latest transactions as frames on every pod, {@link dev.slipstream.runtime.relay.RelayServer}
 * serves it on the leader, {@link dev.slipstream.runtime.relay.RelayClient} feeds a follower.
 *
 * <h2>Frames</h2>
 *
 * Every frame is {@code u32 length}, {@code u8 type}, body; the length counts type and body.
 * Integers are big-endian; {@code varint} is unsigned LEB128; {@code str} and {@code bytes} are a
 * varint length and that many bytes (UTF-8 for strings). LSNs are {@code u64}.
 *
 * <table>
 *   <caption>Frame types</caption>
 *   <tr><th>type</th><th>name</th><th>direction</th><th>body</th></tr>
 *   <tr><td>0x01</td><td>CHALLENGE</td><td>leader → follower</td><td>{@code u16 version, nonce[32]}</td></tr>
 *   <tr><td>0x02</td><td>HELLO</td><td>follower → leader</td><td>{@code u16 version, str pod, u8 resuming,
 *       u64 lastEndLsn, nonce[32], hmac[32]}; hmac = HMAC-SHA256(secret, label, leader nonce, follower nonce, pod,
 *       resuming, lastEndLsn)</td></tr>
 *   <tr><td>0x03</td><td>WELCOME</td><td>leader → follower</td><td>{@code u64 startLsn, u64 serverWalEnd,
 *       u32 keepaliveMillis, hmac[32]}; hmac = HMAC-SHA256(secret, label, follower nonce, leader nonce, startLsn,
 *       serverWalEnd, keepaliveMillis)</td></tr>
 *   <tr><td>0x04</td><td>REFUSED</td><td>leader → follower</td><td>{@code str reason} ({@code bad_secret},
 *       {@code unsupported_version}); the leader then closes</td></tr>
 *   <tr><td>0x10</td><td>CHUNK</td><td>leader → follower</td><td>items until the end of the frame (below); a
 *       transaction is one or more chunks (about 64 KiB each) then COMMIT</td></tr>
 *   <tr><td>0x11</td><td>COMMIT</td><td>leader → follower</td><td>{@code u64 endLsn}: the transaction's events
 *       were all sent</td></tr>
 *   <tr><td>0x12</td><td>GAP</td><td>leader → follower</td><td>{@code u64 lsn}: transactions up to it may be
 *       missing; the stream goes on after it</td></tr>
 *   <tr><td>0x20</td><td>ACK</td><td>follower → leader</td><td>{@code u64 endLsn, u64 receivedBytes}: the last
 *       transaction fed, and the frame bytes taken in since WELCOME</td></tr>
 *   <tr><td>0x21</td><td>KEEPALIVE</td><td>both</td><td>empty; the leader sends one after a keepalive interval
 *       of silence, the follower answers each; the leader ends a connection silent for three intervals, a
 *       follower one silent for five</td></tr>
 *   <tr><td>0x40</td><td>BROADCAST</td><td>both</td><td>{@code u64 id, u8 flags, str topic, str event,
 *       bytes payload}: a client's broadcast; flags 1 private channel, 2 JSON payload, 4 sent as binary; a
 *       follower's goes to the leader (id non-zero: acknowledge it), the leader forwards it to every other
 *       follower and sends its own clients' to all (id 0)</td></tr>
 *   <tr><td>0x41</td><td>BROADCAST_ACK</td><td>leader → follower</td><td>{@code u64 id}: the leader took
 *       the follower's BROADCAST of that id (delivered to its clients, forwarded to the others)</td></tr>
 *   <tr><td>0x42</td><td>PRESENCE</td><td>both</td><td>{@code bytes message}: a message of the pods' presence
 *       exchange, which the relay carries without reading; follower → leader, leader → followers</td></tr>
 *   <tr><td>0x43–0x5F</td><td>reserved</td><td></td><td>what else may cross pods beside the stream</td></tr>
 * </table>
 *
 * <p>Chunk items, each led by a tag byte: {@code 0x01} schema ({@code u32 relationOid, str schema,
 * str table, varint columns, then per column: str name, u8 key, type}; a type is {@code 0, u32 oid}
 * for a built-in type or {@code 1, u32 oid, str namespace, str name, str rendering, u8 delimiter}
 * and, for an array, its element type); {@code 0x02} row ({@code u8 'I'|'U'|'D', varint schema,
 * u8 tuples (1 new, 2 old), tuples}); {@code 0x03} truncate ({@code u8 flags (1 cascade, 2 restart
 * identity), varint count, varint schema...}); {@code 0x04} message ({@code u8 transactional,
 * str prefix, bytes content}). An event tag is followed by {@code u64 commitLsn, varint index,
 * i64 epochSecond, i32 nano (-1: no time)} unless its bit 0x80 is set: then it continues the
 * previous event of the chunk (same commit LSN and time, next index). A schema is defined in a
 * chunk before the first event that refers to it (by its number in the chunk, from 0): any
 * sequence of frames that starts after a COMMIT decodes on its own. A tuple is {@code varint
 * count}, then per value {@code 'n'} (NULL), {@code 'u'} (unchanged TOAST), {@code 't' bytes}
 * (text) or {@code 'b' bytes} (binary).
 *
 * <h2>Conversation</h2>
 *
 * CHALLENGE, HELLO, then WELCOME (or REFUSED). A follower always says {@code resuming}, with LSN 0
 * when it has nothing, so that a new pod gets the whole backlog and can serve clients resuming
 * from before it joined. The leader answers a follower from before this that has nothing (not
 * {@code resuming}) with the stream from now on ({@code startLsn}: its latest commit); one whose
 * last transaction the backlog still reaches with every transaction ending at or after it (the
 * follower drops what it has); one from before the backlog (LSN 0 among them) with GAP and the
 * whole backlog (a follower with nothing ignores that GAP: it starts there).
 * Then the live stream, and KEEPALIVEs when idle. The follower acknowledges after each batch it
 * read; the leader writes to it while its connection is writable, and cuts it off when it lags
 * (see {@link dev.slipstream.runtime.relay.RelayServer}). Inbound frames are capped at 4 KiB on the leader
 * until HELLO proved the secret (then at a broadcast of the tenant's largest payload or a presence
 * message, whichever is larger), and on the
 * follower until WELCOME. Either side may send BROADCAST once welcomed; broadcasts forwarded to a
 * follower queue with the stream and count against its bounds.
 */
package dev.slipstream.runtime.relay;
