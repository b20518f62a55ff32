package dev.slipstream.operator.model;

import dev.slipstream.api.v1alpha1.SecretKeyRef;
import dev.slipstream.api.v1alpha1.TlsSecretRef;
import dev.slipstream.runtime.config.RuntimeConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The Deployment {@code <tenant>-runtime}: the runtime pods of one tenant. */
final class RuntimeDeployment {

  static final String CONTAINER = "runtime";
  static final String TMP_VOLUME = "tmp";
  static final String TMP_PATH = "/tmp";
  /** Streamed transactions too large for memory spill here; /tmp is the only writable path. */
  static final String SPILL_DIR = TMP_PATH + "/spill";
  static final String DATABASE_CA_VOLUME = "database-ca";
  static final String DATABASE_CA_PATH = "/etc/slipstream/database-ca";
  /**
   * {@code spec.database.caSecretRef}'s key, mounted under this one name whatever the key is called. A
   * mounted Secret follows rotations (within the kubelet's sync period), and the runtime reads the file
   * at each connection, so a rotated CA needs no restart; {@code subPath} mounts would not follow.
   */
  static final String DATABASE_CA_FILE = DATABASE_CA_PATH + "/ca.crt";
  static final String TLS_VOLUME = "tls";
  static final String TLS_PATH = "/etc/slipstream/tls";
  /** The kubernetes.io/tls keys, mounted the same way (whole volume, no subPath) so renewals reach the runtime. */
  static final String TLS_CERT_FILE = TLS_PATH + "/" + TlsSecretRef.CERTIFICATE_KEY;
  static final String TLS_KEY_FILE = TLS_PATH + "/" + TlsSecretRef.PRIVATE_KEY_KEY;
  static final long TERMINATION_GRACE_SECONDS = 30;
  /** The "nonroot" user of distroless images; set so runAsNonRoot holds whatever user the image names. */
  static final long NON_ROOT_ID = 65532;

  private RuntimeDeployment() {
  }

  static Deployment build(RuntimeModel model, Integer replicas) {
    if (replicas != null && replicas < 0) {
      throw new IllegalArgumentException("replicas must not be negative, was " + replicas);
    }
    String name = model.names().runtime();
    return new DeploymentBuilder()
        .withMetadata(model.metadata(name))
        .withNewSpec()
          .withReplicas(replicas)
          .withNewSelector().withMatchLabels(RuntimeLabels.selector(model.tenantName())).endSelector()
          // maxUnavailable 1, not 0: a new pod is ready only once it streams from the slot (or reaches
          // the leader that does); with one replica and no unavailability allowed, the rollout would
          // wait for a slot the old pod keeps holding.
          .withNewStrategy()
            .withType("RollingUpdate")
            .withNewRollingUpdate()
              .withMaxSurge(new IntOrString(1))
              .withMaxUnavailable(new IntOrString(1))
            .endRollingUpdate()
          .endStrategy()
          .withNewTemplate()
            .withNewMetadata()
              .withLabels(RuntimeLabels.of(model.tenantName()))
              .withAnnotations(podAnnotations(model))
            .endMetadata()
            .withNewSpec()
              .withServiceAccountName(name)
              // The runtime calls the API server (its status entry, the Lease) with this token.
              .withAutomountServiceAccountToken(true)
              // No FOO_SERVICE_HOST variables for every Service of the namespace.
              .withEnableServiceLinks(false)
              .withTerminationGracePeriodSeconds(TERMINATION_GRACE_SECONDS)
              .withSecurityContext(podSecurityContext())
              .withContainers(container(model))
              .withVolumes(volumes(model))
            .endSpec()
          .endTemplate()
        .endSpec()
        .build();
  }

  private static Map<String, String> podAnnotations(RuntimeModel model) {
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(RuntimeModel.CONFIG_CHECKSUM_ANNOTATION, model.configChecksum());
    annotations.put("prometheus.io/scrape", "true");
    annotations.put("prometheus.io/port", Integer.toString(RuntimeModel.HTTP_PORT));
    annotations.put("prometheus.io/path", "/metrics");
    if (model.servesTls()) {
      annotations.put("prometheus.io/scheme", "https");
    }
    return annotations;
  }

  private static Container container(RuntimeModel model) {
    return new ContainerBuilder()
        .withName(CONTAINER)
        .withImage(model.image())
        .addNewPort().withName(RuntimeModel.HTTP_PORT_NAME).withContainerPort(RuntimeModel.HTTP_PORT)
          .withProtocol("TCP").endPort()
        .addNewPort().withName(RuntimeModel.RELAY_PORT_NAME).withContainerPort(RuntimeModel.RELAY_PORT)
          .withProtocol("TCP").endPort()
        .addNewEnvFrom().withNewConfigMapRef().withName(model.names().runtime()).endConfigMapRef().endEnvFrom()
        .withEnv(env(model))
        .withStartupProbe(startupProbe(scheme(model)))
        .withReadinessProbe(readinessProbe(scheme(model)))
        .withLivenessProbe(livenessProbe(scheme(model)))
        .withResources(model.resources())
        .withSecurityContext(containerSecurityContext())
        .withVolumeMounts(volumeMounts(model))
        .build();
  }

  private static List<Volume> volumes(RuntimeModel model) {
    List<Volume> volumes = new ArrayList<>();
    volumes.add(new VolumeBuilder().withName(TMP_VOLUME).withNewEmptyDir().endEmptyDir().build());
    DatabaseConnection database = model.database();
    if (database.hasCa()) {
      volumes.add(new VolumeBuilder().withName(DATABASE_CA_VOLUME)
          .withNewSecret().withSecretName(database.caSecret())
            .addNewItem().withKey(database.caKey()).withPath("ca.crt").endItem()
          .endSecret()
          .build());
    }
    if (model.servesTls()) {
      volumes.add(new VolumeBuilder().withName(TLS_VOLUME)
          // Every key, not items: ca.crt, when the Secret has one (cert-manager's), is optional.
          .withNewSecret().withSecretName(model.tlsSecret()).endSecret()
          .build());
    }
    return volumes;
  }

  private static List<VolumeMount> volumeMounts(RuntimeModel model) {
    List<VolumeMount> mounts = new ArrayList<>();
    mounts.add(new VolumeMountBuilder().withName(TMP_VOLUME).withMountPath(TMP_PATH).build());
    if (model.database().hasCa()) {
      mounts.add(new VolumeMountBuilder().withName(DATABASE_CA_VOLUME).withMountPath(DATABASE_CA_PATH)
          .withReadOnly(true).build());
    }
    if (model.servesTls()) {
      mounts.add(new VolumeMountBuilder().withName(TLS_VOLUME).withMountPath(TLS_PATH).withReadOnly(true).build());
    }
    return mounts;
  }

  /**
   * With {@code apiVersion: v1}, the value the API server defaults it to: a field selector is an
   * atomic struct, so the applier owns the defaulted field too, and leaving it out made every
   * server-side apply matcher see a difference and apply the Deployment again at every reconcile.
   */
  private static EnvVar fromField(String name, String fieldPath) {
    return new EnvVarBuilder().withName(name)
        .withNewValueFrom().withNewFieldRef().withApiVersion("v1").withFieldPath(fieldPath).endFieldRef().endValueFrom()
        .build();
  }

  /** Secrets by reference only: the values never appear in the Deployment or the ConfigMap. */
  private static List<EnvVar> env(RuntimeModel model) {
    DatabaseConnection database = model.database();
    List<EnvVar> env = new ArrayList<>();
    env.add(fromSecret(RuntimeConfig.DB_USER.name(), database.credentialsSecret(), database.usernameKey()));
    env.add(fromSecret(RuntimeConfig.DB_PASSWORD.name(), database.credentialsSecret(), database.passwordKey()));
    // The relay's own key, which a rotation of the database password does not touch.
    env.add(fromSecret(RuntimeConfig.RELAY_KEY.name(), model.names().relayKeySecret(), RelayKeySecret.KEY));
    SecretKeyRef jwt = model.jwtSecretRef();
    if (jwt != null) {
      env.add(fromSecret(RuntimeConfig.JWT_SECRET.name(), jwt.getName(), jwt.getKey()));
    }
    SecretKeyRef previousJwt = model.previousJwtSecretRef();
    if (previousJwt != null) {
      env.add(fromSecret(RuntimeConfig.JWT_PREVIOUS_SECRET.name(), previousJwt.getName(), previousJwt.getKey()));
    }
    env.add(new EnvVarBuilder().withName(RuntimeConfig.SPILL_DIR.name()).withValue(SPILL_DIR).build());
    // Who this pod is, for the Lease and its status entry, and where the other pods reach its relay.
    env.add(fromField(RuntimeConfig.POD_NAME.name(), "metadata.name"));
    env.add(fromField(RuntimeConfig.POD_NAMESPACE.name(), "metadata.namespace"));
    env.add(fromField(RuntimeConfig.POD_IP.name(), "status.podIP"));
    return env;
  }

  private static EnvVar fromSecret(String variable, String secret, String key) {
    return new EnvVarBuilder().withName(variable)
        .withNewValueFrom().withNewSecretKeyRef().withName(secret).withKey(key).endSecretKeyRef().endValueFrom()
        .build();
  }

  /** The probes speak what the port speaks; the kubelet does not verify a probe's certificate. */
  private static String scheme(RuntimeModel model) {
    return model.servesTls() ? "HTTPS" : null;
  }

  /** Gives the JVM up to two minutes to start before liveness counts, without delaying later checks. */
  private static Probe startupProbe(String scheme) {
    return httpProbe("/healthz", scheme, 2, 2, 60);
  }

  /** /readyz answers 503 until the runtime streams and while it reconnects: no new clients then. */
  private static Probe readinessProbe(String scheme) {
    return httpProbe("/readyz", scheme, 5, 2, 2);
  }

  /** /healthz answers while the process runs; restart only after 30 s of silence. */
  private static Probe livenessProbe(String scheme) {
    return httpProbe("/healthz", scheme, 10, 3, 3);
  }

  private static Probe httpProbe(String path, String scheme, int periodSeconds, int timeoutSeconds,
      int failureThreshold) {
    return new ProbeBuilder()
        .withNewHttpGet().withPath(path).withPort(new IntOrString(RuntimeModel.HTTP_PORT_NAME)).withScheme(scheme)
          .endHttpGet()
        .withPeriodSeconds(periodSeconds)
        .withTimeoutSeconds(timeoutSeconds)
        .withFailureThreshold(failureThreshold)
        .withSuccessThreshold(1)
        .build();
  }

  /** The "restricted" Pod Security Standard, at pod level. */
  private static PodSecurityContext podSecurityContext() {
    return new PodSecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withRunAsUser(NON_ROOT_ID)
        .withRunAsGroup(NON_ROOT_ID)
        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
        .build();
  }

  /** The "restricted" Pod Security Standard, and a read-only root file system (writes go to /tmp). */
  private static SecurityContext containerSecurityContext() {
    return new SecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withNewCapabilities().withDrop("ALL").endCapabilities()
        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
        .build();
  }
}
