/** Reconciles RealtimeTenant and RealtimePublication resources. */
package dev.slipstream.operator;
