/**
 * Decodes PostgreSQL's {@code pgoutput} logical replication messages (protocol versions 1 to 4)
 * into immutable records, without I/O.
 *
 * <p>The wire format is PostgreSQL's "Logical Replication Message Formats"
 * (https://www.postgresql.org/docs/17/protocol-logicalrep-message-formats.html). The same bytes
 * arrive as the payload of a walsender {@code XLogData} message (pgjdbc strips the header) and as
 * the {@code data} column of {@code pg_logical_slot_peek_binary_changes}; the tests use the latter
 * to capture real fixtures.
 *
 * <ul>
 *   <li>{@link dev.slipstream.runtime.pgoutput.PgOutputDecoder}: one per replication connection;
 *       bytes of one message in, one {@link dev.slipstream.runtime.pgoutput.PgOutputMessage} out.
 *   <li>{@link dev.slipstream.runtime.pgoutput.PgOutputReader}: the bounds-checked primitive reader
 *       it is built on.
 *   <li>{@link dev.slipstream.runtime.pgoutput.PgOutputDecodeException}: the only exception any
 *       input can cause.
 * </ul>
 *
 * <p>Resolving relation and type OIDs against earlier Relation/Type messages is the next stage's
 * job (the transaction assembler), not the decoder's.
 */
package dev.slipstream.runtime.pgoutput;
