package dev.slipstream.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.api.v1alpha1.Condition;
import dev.slipstream.api.v1alpha1.ConditionTypes;
import dev.slipstream.api.v1alpha1.Reasons;
import org.junit.jupiter.api.Test;

/** Which condition transitions become Kubernetes Events. */
class ConditionEventsTest {

  private static final Condition DATABASE_OK = Condition.isTrue(ConditionTypes.DATABASE_READY, Reasons.AVAILABLE, "ok");
  private static final Condition SECRET_MISSING = Condition.isFalse(ConditionTypes.DATABASE_READY,
      MissingInputException.SECRET_NOT_FOUND, "Secret a/b does not exist");
  private static final Condition PODS_STARTING = Condition.isFalse(ConditionTypes.RUNTIME_READY, Reasons.RECONCILING,
      "0 of 1 runtime pod(s) ready");
  private static final Condition PODS_READY = Condition.isTrue(ConditionTypes.RUNTIME_READY, Reasons.AVAILABLE, "1 ready");

  @Test
  void readyIsRecordedOnEveryChangeAndWhenItFirstAppearsButNotAsANewResourcesWaitForItsSteps() {
    Condition notReady = Condition.isFalse(ConditionTypes.READY, Reasons.DEPENDENCY_NOT_READY, "RuntimeReady not True");
    Condition ready = Condition.isTrue(ConditionTypes.READY, Reasons.AVAILABLE, "ready");
    Condition invalid = Condition.isFalse(ConditionTypes.READY, Reasons.INVALID_SPEC, "spec.database.host is empty");
    assertThat(ConditionEvents.worthAnEvent(null, notReady)).as("a new resource, its steps not done yet").isFalse();
    assertThat(ConditionEvents.worthAnEvent(null, ready)).isTrue();
    assertThat(ConditionEvents.worthAnEvent(null, invalid)).isTrue();
    assertThat(ConditionEvents.worthAnEvent(notReady, ready)).isTrue();
    assertThat(ConditionEvents.worthAnEvent(ready, notReady)).isTrue();
    assertThat(ConditionEvents.worthAnEvent(ready, ready)).isFalse();
  }

  @Test
  void aProblemIsRecordedWhenItAppearsChangesOrEnds() {
    assertThat(ConditionEvents.worthAnEvent(null, SECRET_MISSING)).isTrue();
    assertThat(ConditionEvents.worthAnEvent(DATABASE_OK, SECRET_MISSING)).isTrue();
    assertThat(ConditionEvents.worthAnEvent(SECRET_MISSING, Condition.isFalse(ConditionTypes.DATABASE_READY,
        "AuthenticationFailed", "password authentication failed"))).isTrue();
    assertThat(ConditionEvents.worthAnEvent(SECRET_MISSING, DATABASE_OK)).isTrue();
    assertThat(ConditionEvents.worthAnEvent(SECRET_MISSING, SECRET_MISSING)).isFalse();
  }

  @Test
  void conditionsThatAppearFineOrOnlyFinishWorkInProgressAreNotRecorded() {
    assertThat(ConditionEvents.worthAnEvent(null, DATABASE_OK)).isFalse();
    assertThat(ConditionEvents.worthAnEvent(null, Condition.isUnknown(ConditionTypes.SLOT_READY,
        Reasons.DEPENDENCY_NOT_READY, "waiting for DatabaseReady"))).isFalse();
    assertThat(ConditionEvents.worthAnEvent(null, PODS_STARTING)).isFalse();
    assertThat(ConditionEvents.worthAnEvent(PODS_STARTING, PODS_READY)).isFalse();
  }
}
