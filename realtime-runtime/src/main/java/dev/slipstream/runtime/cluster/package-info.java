/**
 * The pods of one tenant as one runtime: the Lease that makes one of them the leader (the only
 * reader of the slot), and the roles that follow from it. Uses the relay and the replication
 * source; nothing in the protocol or transport packages knows about it.
 */
package dev.slipstream.runtime.cluster;
