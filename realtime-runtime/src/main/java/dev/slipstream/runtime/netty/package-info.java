/**
 * Netty plumbing shared by the client port ({@code transport}) and the relay between pods: the
 * open connections of a server or client, closed before its event loops stop.
 */
package dev.slipstream.runtime.netty;
