/**
 * The Slipstream custom resource API, group {@code realtime.slipstream.dev}, version {@code v1alpha1}.
 *
 * <p>The CRD YAML under {@code charts/slipstream/crds/} is generated from these classes by the
 * Fabric8 CRD generator: every field's {@code @JsonPropertyDescription} is what
 * {@code kubectl explain} prints, and the validation annotations become the OpenAPI schema and
 * CEL rules the API server enforces. Defaults live in the schema (never in Java field
 * initialisers) so that what the API server stores is what the operator reads.
 */
package dev.slipstream.api.v1alpha1;
