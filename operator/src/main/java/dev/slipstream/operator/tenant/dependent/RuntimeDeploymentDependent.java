package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;

/** The runtime pods, with a checksum annotation that rolls them when the Secret or config changes. Desired state only: {@link RuntimeModels#of(Context)}{@code .generateDeployment()}. */
public class RuntimeDeploymentDependent extends CRUDKubernetesDependentResource<Deployment, RealtimeTenant> {

  public static final String NAME = "deployment";

  public RuntimeDeploymentDependent() {
    super(Deployment.class);
  }

  @Override
  protected Deployment desired(RealtimeTenant tenant, Context<RealtimeTenant> context) {
    return RuntimeModels.of(context).generateDeployment();
  }
}
