/**
 * Desired state of a tenant's runtime as pure functions: {@link dev.slipstream.operator.model.RuntimeModel#fromTenant}
 * validates a {@code RealtimeTenant} plus what the reconciler resolved ({@link dev.slipstream.operator.model.ResolvedInputs})
 * into fields, and its {@code generate*} methods only return Fabric8 objects (ConfigMap, Deployment, Services,
 * ServiceAccount/Role/RoleBinding, PodDisruptionBudget). Nothing here talks to Kubernetes or PostgreSQL; owner
 * references are added by the JOSDK dependents that apply these objects.
 *
 * <p>Also here: the derivation of slot and publication names ({@link dev.slipstream.operator.model.SlotNames},
 * {@link dev.slipstream.operator.model.PublicationNames}) and the checksum of Secret values
 * ({@link dev.slipstream.operator.model.SecretChecksum}) that rolls the pods when credentials change.
 */
package dev.slipstream.operator.model;
