/**
 * TLS certificates from files, for the client port and the relay: loaded once at startup (a bad
 * pair stops the process), read again for renewals, handed to Netty as handlers. Knows no protocol.
 */
package dev.slipstream.runtime.tls;
