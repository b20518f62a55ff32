package dev.slipstream.operator.model;

import dev.slipstream.api.v1alpha1.Patterns;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.ReplicationSpec;

/**
 * Names of replication slots. PostgreSQL allows only lower-case letters, digits and underscores
 * ({@value Patterns#SLOT_NAME}), at most 63 bytes, and slots are global to a PostgreSQL server: two
 * tenants pointing at one server must never derive the same name, or they would consume each
 * other's changes. See {@link DerivedIdentifiers} for why they do not.
 */
public final class SlotNames {

  static final String PREFIX = "slipstream_";

  private SlotNames() {
  }

  /**
   * The slot name for a tenant without {@code spec.replication.slotName}: {@code slipstream_<ns>_<name>}
   * with dashes as underscores, for example {@code slipstream_acme_acme_prod} for {@code acme/acme-prod};
   * followed by {@code __} and a hash when the names contain dots or double dashes or are too long.
   */
  public static String derive(String namespace, String name) {
    DerivedIdentifiers.requireText(namespace, "namespace");
    DerivedIdentifiers.requireText(name, "tenant name");
    String readable = PREFIX + namespace + "_" + name.replace('-', '_');
    // The namespace carries no dash, so the first underscore after the prefix ends it.
    boolean lossless = DerivedIdentifiers.READABLE_HEAD.matcher(namespace).matches()
        && DerivedIdentifiers.READABLE_PART.matcher(name).matches();
    return DerivedIdentifiers.readableOrHashed(readable, lossless, namespace, name);
  }

  /** The slot the tenant streams from: {@code spec.replication.slotName} when set, otherwise derived. */
  public static String forTenant(RealtimeTenant tenant) {
    ReplicationSpec replication = tenant.getSpec() == null ? null : tenant.getSpec().getReplication();
    if (replication != null && replication.getSlotName() != null && !replication.getSlotName().isBlank()) {
      return replication.getSlotName();
    }
    return derive(tenant.getMetadata().getNamespace(), tenant.getMetadata().getName());
  }

  /** Whether PostgreSQL accepts {@code name} as a slot name. */
  public static boolean isValid(String name) {
    return name != null && name.length() <= DerivedIdentifiers.MAX_BYTES && name.matches(Patterns.SLOT_NAME);
  }
}
