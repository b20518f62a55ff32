/**
 * The pod's own entry in its tenant's status ({@code status.runtime.pods[]}), written with
 * server-side apply under the pod's field manager so that the operator's fields and the other pods'
 * entries are never touched. Knows the tenant's API types and the cluster settings; nothing below
 * it knows about it.
 */
package dev.slipstream.runtime.status;
