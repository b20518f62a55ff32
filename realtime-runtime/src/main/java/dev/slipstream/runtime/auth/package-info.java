/**
 * Who a client is: verification of the JWT a client presents (the WebSocket {@code apikey} query
 * parameter, a Phoenix join's or refresh's {@code access_token}, the SSE {@code apikey}) and the
 * claims it carries.
 *
 * <p>{@link dev.slipstream.runtime.auth.AuthSettings} is read once at startup;
 * {@link dev.slipstream.runtime.auth.TokenVerifier} is built from it and shared by every Netty event
 * loop. Verification is pure CPU work (no I/O, no locks), so it runs on the event loop. A rejected
 * token raises {@link dev.slipstream.runtime.auth.TokenRejectedException}, whose texts are the ones
 * the hosted Supabase Realtime server sends, because {@code @supabase/realtime-js} shows them to the
 * application as they are.
 */
package dev.slipstream.runtime.auth;
