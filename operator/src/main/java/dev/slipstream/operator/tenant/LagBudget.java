package dev.slipstream.operator.tenant;

import dev.slipstream.api.v1alpha1.Condition;
import dev.slipstream.api.v1alpha1.ConditionTypes;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.Locale;

/**
 * The LagWithinBudget condition: the WAL the slot holds back ({@code status.slot.lagBytes}) against
 * {@code spec.replication.maxLagBytes}. A slot nobody consumes keeps every WAL segment since its
 * confirmed position, and a full disk stops the whole database, so going over is worth a Warning.
 */
final class LagBudget {

  static final String WITHIN_BUDGET = "WithinBudget";
  static final String OVER_BUDGET = "LagOverBudget";
  /** The CRD's default; used when the field is absent (a resource stored before the default existed). */
  static final String DEFAULT_BUDGET = "1Gi";

  private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB", "PiB"};

  private LagBudget() {
  }

  /** {@code spec.replication.maxLagBytes} in bytes. */
  static long budgetBytes(RealtimeTenant tenant) {
    Quantity quantity = tenant.getSpec() == null || tenant.getSpec().getReplication() == null
        || tenant.getSpec().getReplication().getMaxLagBytes() == null
        ? new Quantity(DEFAULT_BUDGET) : tenant.getSpec().getReplication().getMaxLagBytes();
    BigDecimal bytes = Quantity.getAmountInBytes(quantity);
    return bytes.signum() <= 0 ? 0 : bytes.min(BigDecimal.valueOf(Long.MAX_VALUE)).longValue();
  }

  /** The condition for a slot holding {@code lagBytes} (null: PostgreSQL did not say) of WAL. */
  static Condition condition(Long lagBytes, long budgetBytes) {
    if (lagBytes == null) {
      return Condition.isUnknown(ConditionTypes.LAG_WITHIN_BUDGET, WITHIN_BUDGET,
          "the slot's lag is not known (it has no confirmed_flush_lsn yet)");
    }
    if (lagBytes > budgetBytes) {
      return Condition.isFalse(ConditionTypes.LAG_WITHIN_BUDGET, OVER_BUDGET, "the slot holds " + display(lagBytes)
          + " of WAL, over the " + display(budgetBytes) + " budget (spec.replication.maxLagBytes)");
    }
    return Condition.isTrue(ConditionTypes.LAG_WITHIN_BUDGET, WITHIN_BUDGET, "the slot holds " + display(lagBytes)
        + " of WAL, within the " + display(budgetBytes) + " budget (spec.replication.maxLagBytes)");
  }

  /** Binary units with one decimal: 1258291 bytes is "1.2 MiB". */
  static String display(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < UNITS.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
  }
}
