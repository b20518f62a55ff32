package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.operator.model.SlotNames;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which replication slot a tenant has had, so that one that disappeared is reported and never
 * recreated silently: changes made since were not streamed, and someone should know. The tenant's
 * status records the slot once it has been seen; this process also remembers the slots it created,
 * because a reconcile may run on a cached copy of the tenant from before that status patch landed
 * (without it, a slot dropped right after its creation would look never-created and be recreated).
 *
 * <p>The annotation {@value #RECREATE_SLOT_ANNOTATION}{@code : "true"} asks for a new slot (a lost one
 * is dropped first); it should be removed afterwards, or a later loss is repaired silently too.
 */
public final class SlotHistory {

  /** Asks the operator to create the slot again after it was lost. */
  public static final String RECREATE_SLOT_ANNOTATION = RealtimeTenant.GROUP + "/recreate-slot";

  private final Set<String> created = ConcurrentHashMap.newKeySet();

  /** Whether the status records the slot: it existed once, so its absence means it was lost. */
  public static boolean recordedInStatus(RealtimeTenant tenant, String slotName) {
    return tenant.getStatus() != null && tenant.getStatus().getSlot() != null
        && slotName.equals(tenant.getStatus().getSlot().getName());
  }

  /** Whether someone asked for a new slot. */
  public static boolean recreateRequested(RealtimeTenant tenant) {
    return tenant.getMetadata().getAnnotations() != null
        && "true".equalsIgnoreCase(tenant.getMetadata().getAnnotations().get(RECREATE_SLOT_ANNOTATION));
  }

  /** The slot may be created when the tenant never had one, or when a new one was asked for. */
  boolean mayCreate(RealtimeTenant tenant, String slotName) {
    return recreateRequested(tenant) || !(recordedInStatus(tenant, slotName) || created.contains(key(tenant, slotName)));
  }

  void created(RealtimeTenant tenant, String slotName) {
    created.add(key(tenant, slotName));
  }

  /** Forgets the tenant's slot: a new tenant of the same name later starts afresh. */
  public void forget(RealtimeTenant tenant) {
    created.remove(key(tenant, SlotNames.forTenant(tenant)));
  }

  private static String key(RealtimeTenant tenant, String slotName) {
    return tenant.getMetadata().getNamespace() + "/" + tenant.getMetadata().getName() + "/" + slotName;
  }
}
