/** Streams pgoutput changes from a tenant's slot and fans them out over WebSocket and SSE. */
package dev.slipstream.runtime;
