package dev.slipstream.operator.tenant;

import dev.slipstream.api.v1alpha1.Condition;
import dev.slipstream.api.v1alpha1.ConditionTypes;
import dev.slipstream.api.v1alpha1.Conditions;
import dev.slipstream.api.v1alpha1.Reasons;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.RealtimeTenantStatus;
import dev.slipstream.api.v1alpha1.SlotStatus;
import dev.slipstream.api.v1alpha1.TenantPhase;
import dev.slipstream.operator.postgres.DatabaseFacts;
import dev.slipstream.operator.postgres.DatabaseProblem;
import dev.slipstream.operator.postgres.SlotState;
import dev.slipstream.operator.tenant.dependent.SlotHistory;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The tenant status transitions the reconciler makes, as named methods: database ready or not,
 * slot found, missing or lost. The phase and the Ready condition follow from the others in
 * {@link Builder#build()}.
 */
final class TenantStatus {

  /** The slot the status recorded is gone, or PostgreSQL removed WAL it needed: changes were missed. */
  static final String SLOT_LOST = "SlotLost";
  /** A slot of the tenant's name exists but is not a logical pgoutput slot. */
  static final String SLOT_NOT_PGOUTPUT = "SlotNotPgoutput";
  /** The database and slot are ready; the runtime's objects are not reconciled by this version. */
  static final String RUNTIME_NOT_MANAGED = "RuntimeNotManaged";

  /** Conditions that, False alone, leave the tenant streaming: Degraded, not Provisioning. */
  private static final Set<String> DEGRADING_ONLY =
      Set.of(ConditionTypes.LAG_WITHIN_BUDGET, ConditionTypes.FAILOVER_READY);

  private final Conditions conditions;

  TenantStatus() {
    this(Clock.systemUTC());
  }

  TenantStatus(Clock clock) {
    this.conditions = new Conditions(clock);
  }

  /** A builder seeded with the tenant's current status. */
  Builder from(RealtimeTenant tenant) {
    return new Builder(tenant);
  }

  /** Whether the two statuses agree on everything the operator writes. */
  static boolean same(RealtimeTenantStatus a, RealtimeTenantStatus b) {
    if (a == null || b == null) {
      return a == b;
    }
    return Objects.equals(a.getObservedGeneration(), b.getObservedGeneration())
        && a.getPhase() == b.getPhase()
        && Objects.equals(a.getConditions(), b.getConditions())
        && Objects.equals(slotKey(a.getSlot()), slotKey(b.getSlot()))
        && Objects.equals(json(a.getEndpoints()), json(b.getEndpoints()));
  }

  private static String json(Object value) {
    return value == null ? null : io.fabric8.kubernetes.client.utils.Serialization.asJson(value);
  }

  private static List<Object> slotKey(SlotStatus slot) {
    if (slot == null) {
      return null;
    }
    return java.util.Arrays.asList(slot.getName(), slot.getActive(), slot.getWalStatus(), slot.getRestartLsn(),
        slot.getConfirmedFlushLsn(), slot.getLagBytes(), slot.getFailover(), slot.getSynchronizedStandbySlots());
  }

  final class Builder {

    private final Long generation;
    private List<Condition> list;
    private SlotStatus slot;
    private boolean databaseReady;
    private boolean slotReady;
    private Boolean runtimeReady;
    private Boolean publicationsReady;
    private Boolean lagWithinBudget;
    private Boolean failoverReady;
    private String serverVersion;
    private dev.slipstream.api.v1alpha1.Endpoints endpoints;

    private Builder(RealtimeTenant tenant) {
      this.generation = tenant.getMetadata().getGeneration();
      RealtimeTenantStatus current = tenant.getStatus();
      this.list = current == null || current.getConditions() == null ? List.of() : new ArrayList<>(current.getConditions());
      this.slot = current == null ? null : current.getSlot();
      this.endpoints = current == null ? null : current.getEndpoints();
      // What this reconcile does not re-establish stays as the last one found it.
      this.databaseReady = Conditions.isTrue(list, ConditionTypes.DATABASE_READY);
      this.slotReady = Conditions.isTrue(list, ConditionTypes.SLOT_READY);
    }

    boolean slotReady() {
      return databaseReady && slotReady;
    }

    Builder runtimeReady(String message) {
      runtimeReady = true;
      set(Condition.isTrue(ConditionTypes.RUNTIME_READY, Reasons.AVAILABLE, message));
      return this;
    }

    /** RuntimeReady from the runtime pods ready against the minimum wanted. */
    Builder runtimePods(int ready, int wanted) {
      return ready >= wanted ? runtimeReady(ready + " runtime pod(s) ready")
          : runtimeNotReady(Reasons.RECONCILING, ready + " of " + wanted + " runtime pod(s) ready");
    }

    Builder runtimeNotReady(String reason, String message) {
      runtimeReady = false;
      set(Condition.isFalse(ConditionTypes.RUNTIME_READY, reason, message));
      return this;
    }

    /** PublicationsReady from the tenant's publications (see {@link TenantPublications}). */
    Builder publications(java.util.List<dev.slipstream.api.v1alpha1.RealtimePublication> publications) {
      Condition condition = TenantPublications.condition(publications);
      publicationsReady = condition.hasStatus(Condition.TRUE);
      set(condition);
      return this;
    }

    /** LagWithinBudget from the slot just found; call after {@link #slot}. */
    Builder lag(long budgetBytes) {
      if (!slotReady) {
        return this;
      }
      Condition condition = LagBudget.condition(slot == null ? null : slot.getLagBytes(), budgetBytes);
      lagWithinBudget = condition.hasStatus(Condition.TRUE);
      set(condition);
      return this;
    }

    /**
     * FailoverReady from the slot just found when spec.replication.failover asks for a failover
     * slot; removed when it does not (the user chose a slot a failover loses; status.slot.failover
     * says so without a Warning on every tenant). Call after {@link #slot}.
     */
    Builder failover(boolean asked, Optional<SlotState> found) {
      if (!asked) {
        list = list.stream().filter(c -> !ConditionTypes.FAILOVER_READY.equals(c.getType())).toList();
        return this;
      }
      if (!slotReady || found.isEmpty()) {
        return this;
      }
      Condition condition = SlotFailover.condition(found.get(), serverVersion);
      failoverReady = condition.hasStatus(Condition.TRUE);
      set(condition);
      return this;
    }

    Builder endpoints(dev.slipstream.api.v1alpha1.Endpoints endpoints) {
      this.endpoints = endpoints;
      return this;
    }

    Builder databaseNotReady(String reason, String message) {
      databaseReady = false;
      slotReady = false;
      set(Condition.isFalse(ConditionTypes.DATABASE_READY, reason, message));
      set(Condition.isUnknown(ConditionTypes.SLOT_READY, Reasons.DEPENDENCY_NOT_READY,
          "the slot cannot be checked while DatabaseReady is False"));
      return this;
    }

    /** DatabaseReady from what the database reported: True, or False with the first problem's reason and every message. */
    Builder database(DatabaseFacts facts) {
      serverVersion = facts.version().display();
      List<DatabaseProblem> problems = facts.problems();
      if (problems.isEmpty()) {
        return databaseReady("PostgreSQL " + facts.version().display() + ", database " + facts.database()
            + " is ready for logical replication");
      }
      return databaseNotReady(problems.get(0).reason(),
          problems.stream().map(DatabaseProblem::message).collect(Collectors.joining("; ")));
    }

    Builder databaseReady(String message) {
      databaseReady = true;
      set(Condition.isTrue(ConditionTypes.DATABASE_READY, Reasons.AVAILABLE, message));
      return this;
    }

    /** The slot as found ({@code empty}: it does not exist although the status recorded it). */
    Builder slot(Optional<SlotState> found, String slotName) {
      if (found.isEmpty()) {
        slotReady = false;
        SlotStatus gone = copy(slot, slotName);
        gone.setActive(false);
        slot = gone;
        set(Condition.isFalse(ConditionTypes.SLOT_READY, SLOT_LOST, "replication slot " + slotName
            + " no longer exists in pg_replication_slots; changes made since were not streamed. The operator does not "
            + "recreate it by itself: annotate the tenant with " + SlotHistory.RECREATE_SLOT_ANNOTATION + "=true to get a new one"));
        return this;
      }
      SlotState state = found.get();
      slot = toStatus(state);
      if (state.lost()) {
        slotReady = false;
        set(Condition.isFalse(ConditionTypes.SLOT_READY, SLOT_LOST, "replication slot " + slotName
            + " has wal_status 'lost': the server removed WAL it needed and changes were missed. Annotate the tenant "
            + "with " + SlotHistory.RECREATE_SLOT_ANNOTATION + "=true to drop it and create a new one"));
      } else if (!state.usesPgoutput()) {
        slotReady = false;
        set(Condition.isFalse(ConditionTypes.SLOT_READY, SLOT_NOT_PGOUTPUT, "replication slot " + slotName + " is a "
            + state.slotType() + " slot with plugin " + state.plugin() + "; the runtime needs a logical pgoutput slot. "
            + "Drop it or set spec.replication.slotName to another name"));
      } else {
        slotReady = true;
        set(Condition.isTrue(ConditionTypes.SLOT_READY, Reasons.AVAILABLE, "replication slot " + slotName
            + " exists (pgoutput, wal_status " + state.walStatus() + ", " + (state.active() ? "active" : "inactive") + ")"));
      }
      return this;
    }

    /**
     * Ready is True only when every other condition is. The phase says how bad it is: Failed when
     * nothing can stream (database or slot), Degraded when only the lag is over budget (streaming
     * works, the disk fills) or the slot is not ready for a failover that was asked for, Provisioning while the runtime or publications are still coming up.
     */
    RealtimeTenantStatus build() {
      TenantPhase phase;
      if (!(databaseReady && slotReady)) {
        phase = TenantPhase.FAILED;
        set(Condition.isFalse(ConditionTypes.READY, Reasons.DEPENDENCY_NOT_READY,
            (databaseReady ? "SlotReady" : "DatabaseReady") + " is not True"));
        if (Conditions.find(list, ConditionTypes.LAG_WITHIN_BUDGET).isPresent()) {
          set(Condition.isUnknown(ConditionTypes.LAG_WITHIN_BUDGET, Reasons.DEPENDENCY_NOT_READY,
              "the slot's lag cannot be measured while SlotReady is not True"));
        }
        if (Conditions.find(list, ConditionTypes.FAILOVER_READY).isPresent()) {
          set(Condition.isUnknown(ConditionTypes.FAILOVER_READY, Reasons.DEPENDENCY_NOT_READY,
              "the slot's failover readiness cannot be checked while SlotReady is not True"));
        }
      } else if (runtimeReady == null) {
        phase = TenantPhase.PROVISIONING;
        set(Condition.isFalse(ConditionTypes.READY, RUNTIME_NOT_MANAGED, "the database and the replication slot are "
            + "ready; the runtime has not been reconciled"));
      } else {
        List<String> notTrue = new ArrayList<>();
        if (!runtimeReady) {
          notTrue.add(ConditionTypes.RUNTIME_READY);
        }
        if (Boolean.FALSE.equals(publicationsReady)) {
          notTrue.add(ConditionTypes.PUBLICATIONS_READY);
        }
        if (Boolean.FALSE.equals(lagWithinBudget)) {
          notTrue.add(ConditionTypes.LAG_WITHIN_BUDGET);
        }
        if (Boolean.FALSE.equals(failoverReady)) {
          notTrue.add(ConditionTypes.FAILOVER_READY);
        }
        if (notTrue.isEmpty()) {
          phase = TenantPhase.READY;
          set(Condition.isTrue(ConditionTypes.READY, Reasons.AVAILABLE, "the database, the replication slot, the "
              + "publications and the runtime are ready"));
        } else {
          phase = DEGRADING_ONLY.containsAll(notTrue) ? TenantPhase.DEGRADED : TenantPhase.PROVISIONING;
          set(Condition.isFalse(ConditionTypes.READY, Reasons.DEPENDENCY_NOT_READY,
              String.join(", ", notTrue) + " not True"));
        }
      }
      RealtimeTenantStatus status = new RealtimeTenantStatus();
      status.setObservedGeneration(generation);
      status.setPhase(phase);
      status.setConditions(list);
      status.setSlot(slot);
      status.setEndpoints(endpoints);
      // Never status.runtime: the runtime pods own their status.runtime.pods[] entries, and the runtime
      // reconciler (package runtime, a field manager of its own) the rest of it.
      status.setRuntime(null);
      return status;
    }

    private void set(Condition condition) {
      list = conditions.set(list, condition, generation);
    }
  }

  private static SlotStatus toStatus(SlotState state) {
    SlotStatus status = new SlotStatus();
    status.setName(state.name());
    status.setActive(state.active());
    status.setWalStatus(state.walStatus());
    status.setRestartLsn(state.restartLsn());
    status.setConfirmedFlushLsn(state.confirmedFlushLsn());
    status.setLagBytes(state.lagBytes());
    status.setFailover(state.failover());
    status.setSynchronizedStandbySlots(state.standbySlots() == null ? null : state.standbySlots().setting());
    return status;
  }

  private static SlotStatus copy(SlotStatus from, String name) {
    SlotStatus status = new SlotStatus();
    status.setName(name);
    if (from != null && name.equals(from.getName())) {
      status.setWalStatus(from.getWalStatus());
      status.setRestartLsn(from.getRestartLsn());
      status.setConfirmedFlushLsn(from.getConfirmedFlushLsn());
      status.setLagBytes(from.getLagBytes());
    }
    return status;
  }
}
