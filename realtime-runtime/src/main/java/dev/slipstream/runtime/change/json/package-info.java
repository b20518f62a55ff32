/**
 * Column values to JSON: PostgreSQL's text output (what pgoutput sends for each column) rendered
 * as {@code to_jsonb(value)} would, so that clients see what Supabase Realtime gives them.
 *
 * <p>{@link dev.slipstream.runtime.change.json.PgType} resolves a column's type OID (and, for
 * non-built-in types, the namespace and name of pgoutput's Type message) to a rendering, once per
 * relation; {@link dev.slipstream.runtime.change.json.ValueJsonWriter} writes each value into a
 * Jackson generator, on the hot path, without building intermediate strings.
 *
 * <p>Where the output differs from {@code to_jsonb}, on purpose or because pgoutput does not say
 * enough (each one is asserted against a real PostgreSQL in {@code ValueJsonWriterIT}):
 *
 * <ul>
 *   <li>numeric: a string with the exact digits when a double (a JavaScript number) cannot hold
 *       the value; {@code to_jsonb} writes a number that the client silently rounds;
 *   <li>domains: strings (pgoutput sends the domain's OID and name, not its base type), unless
 *       the caller resolves them with {@link dev.slipstream.runtime.change.json.PgType#domain};
 *   <li>composites, and extension types that declare a cast to json (hstore, PostGIS): strings of
 *       their text, where {@code to_jsonb} writes objects;
 *   <li>json: embedded verbatim (whitespace, key order and duplicate keys kept), where {@code
 *       to_jsonb} normalises through jsonb; parsed, both give the same values;
 *   <li>float4/float8 are written as PostgreSQL prints them ({@code 1e+100}) rather than in
 *       {@code to_jsonb}'s plain notation: the same number, in fewer bytes.
 * </ul>
 */
package dev.slipstream.runtime.change.json;
