/** The chart, the operator and the runtime together against a real API server and PostgreSQL. */
package dev.slipstream.e2e;
