/**
 * The contract between the operator and the runtime: {@link dev.slipstream.runtime.config.RuntimeConfig} lists
 * every environment variable the runtime reads, as a typed {@link dev.slipstream.runtime.config.Setting} with its
 * {@link dev.slipstream.runtime.config.Kind}, default, whether it is required and what it means. The runtime parses
 * its environment with {@link dev.slipstream.runtime.config.Setting#read}; the operator writes the runtime's
 * ConfigMap and pod environment with {@link dev.slipstream.runtime.config.Setting#write} and the settings' names.
 *
 * <p>Both sides are tested against this list: the runtime reads exactly these variables and requires exactly the
 * required ones ({@code MainTest}), and the operator sets only these variables and every required one
 * ({@code RuntimeConfigMapTest}). Nothing here depends on anything beyond the JDK.
 */
package dev.slipstream.runtime.config;
