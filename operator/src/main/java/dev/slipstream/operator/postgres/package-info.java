/**
 * The operator's PostgreSQL side, free of Kubernetes: pure SQL builders and the JDBC service that
 * runs them against a tenant's database.
 *
 * <ul>
 *   <li>Builders ({@link dev.slipstream.operator.postgres.Identifiers},
 *       {@link dev.slipstream.operator.postgres.PublicationSql},
 *       {@link dev.slipstream.operator.postgres.SlotSql},
 *       {@link dev.slipstream.operator.postgres.CatalogSql}) return SQL text and are tested as
 *       strings. Every identifier is quoted; values go through bind parameters where PostgreSQL
 *       accepts them.
 *   <li>Value types ({@link dev.slipstream.operator.postgres.DesiredPublication},
 *       {@link dev.slipstream.operator.postgres.PublicationState},
 *       {@link dev.slipstream.operator.postgres.SlotState},
 *       {@link dev.slipstream.operator.postgres.DatabaseFacts}) are records, independent of the
 *       CRD classes, so the reconcilers translate at one place.
 *   <li>{@link dev.slipstream.operator.postgres.TenantDatabase} opens one short-lived connection
 *       with tight timeouts and runs the builders' SQL; every failure is a
 *       {@link dev.slipstream.operator.postgres.DatabaseException} with a stable reason from
 *       {@link dev.slipstream.operator.postgres.PostgresReasons} and a message fit for a condition.
 * </ul>
 */
package dev.slipstream.operator.postgres;
