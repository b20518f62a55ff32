package dev.slipstream.operator.model;

import dev.slipstream.api.v1alpha1.AuthSpec;
import dev.slipstream.api.v1alpha1.Endpoints;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.RealtimeTenantSpec;
import dev.slipstream.api.v1alpha1.ReplicaRange;
import dev.slipstream.api.v1alpha1.ReplicationSpec;
import dev.slipstream.api.v1alpha1.RuntimeSpec;
import dev.slipstream.api.v1alpha1.SecretKeyRef;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Desired state of one tenant's runtime. {@link #fromTenant} validates the tenant and the resolved
 * inputs into fields (throwing {@link InvalidTenantException} with a message for the status
 * condition); the {@code generate*} methods only build and return Fabric8 objects, so the same
 * tenant and inputs always give the same objects.
 */
public final class RuntimeModel {

  public static final int HTTP_PORT = 4000;
  public static final String HTTP_PORT_NAME = "http";
  public static final int RELAY_PORT = 4001;
  public static final String RELAY_PORT_NAME = "relay";
  public static final String CONFIG_CHECKSUM_ANNOTATION = RealtimeTenant.GROUP + "/config-checksum";

  /**
   * Service names are DNS-1035 labels (at most 63 characters, starting with a letter), and the
   * longest name built from the tenant's is {@code <tenant>-runtime-relay}; label values are limited
   * to 63 characters as well.
   */
  public static final int MAX_TENANT_NAME_LENGTH = 63 - RuntimeNames.RELAY_SUFFIX.length();

  private static final Pattern DNS_1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
  static final String DEFAULT_HEARTBEAT_INTERVAL = "30s";
  static final int DEFAULT_MIN_REPLICAS = 1;
  static final int DEFAULT_MAX_REPLICAS = 10;
  static final String DEFAULT_JWT_KEY = "secret";

  private final String namespace;
  private final RuntimeNames names;
  private final DatabaseConnection database;
  private final RuntimeLimits limits;
  private final String slotName;
  private final List<String> publicationNames;
  private final List<String> accessRules;
  private final String heartbeatInterval;
  private final String image;
  private final int minReplicas;
  private final int maxReplicas;
  private final ResourceRequirements resources;
  private final SecretKeyRef jwtSecretRef;
  private final String jwtIssuer;
  private final String jwtAudience;
  /** {@code spec.auth.channelRules} as {@code topicPrefix=claim}, sorted, without repeats (all of them apply). */
  private final List<String> channelRules;
  private final String credentialsChecksum;
  private final String jwtSecretChecksum;
  private final SecretKeyRef previousJwtSecretRef;
  private final String previousJwtSecretChecksum;
  private final String relayKeyChecksum;
  /** {@code spec.runtime.tls.secretRef.name}, or null: the client port speaks plain HTTP. */
  private final String tlsSecret;

  private RuntimeModel(RealtimeTenant tenant, RealtimeTenantSpec spec, ResolvedInputs inputs) {
    this.namespace = tenant.getMetadata().getNamespace();
    this.names = new RuntimeNames(tenant.getMetadata().getName());
    this.database = DatabaseConnection.from(spec.getDatabase());
    this.limits = RuntimeLimits.from(spec.getLimits());
    ReplicationSpec replication = spec.getReplication() == null ? new ReplicationSpec() : spec.getReplication();
    this.heartbeatInterval = heartbeatInterval(replication.getHeartbeatInterval());
    RuntimeSpec runtime = spec.getRuntime() == null ? new RuntimeSpec() : spec.getRuntime();
    this.image = runtime.getImage() != null && !runtime.getImage().isBlank() ? runtime.getImage() : inputs.defaultImage();
    ReplicaRange replicas = runtime.getReplicas() == null ? new ReplicaRange() : runtime.getReplicas();
    this.minReplicas = replicas.getMin() == null ? DEFAULT_MIN_REPLICAS : replicas.getMin();
    this.maxReplicas = replicas.getMax() == null ? Math.max(DEFAULT_MAX_REPLICAS, minReplicas) : replicas.getMax();
    // A copy: the Deployment must not share mutable objects with the tenant it was built from.
    this.resources = runtime.getResources() == null ? null : new ResourceRequirementsBuilder(runtime.getResources()).build();
    this.tlsSecret = runtime.getTls() == null ? null
        : runtime.getTls().getSecretRef() == null ? "" : runtime.getTls().getSecretRef().getName();
    this.slotName = inputs.slotName();
    this.publicationNames = inputs.publicationNames();
    this.accessRules = inputs.accessRules();
    this.jwtSecretRef = withDefaultKey(inputs.jwtSecretRef());
    AuthSpec auth = spec.getAuth();
    this.jwtIssuer = auth == null ? null : auth.getIssuer();
    this.jwtAudience = auth == null ? null : auth.getAudience();
    this.channelRules = channelRules(auth);
    this.credentialsChecksum = inputs.credentialsChecksum();
    this.jwtSecretChecksum = inputs.jwtSecretChecksum();
    this.previousJwtSecretRef = withDefaultKey(inputs.previousJwtSecretRef());
    this.previousJwtSecretChecksum = inputs.previousJwtSecretChecksum();
    this.relayKeyChecksum = inputs.relayKeyChecksum();
  }

  /** The rules in the runtime's form; their order does not matter, every rule covering a topic must hold. */
  private static List<String> channelRules(AuthSpec auth) {
    if (auth == null || auth.getChannelRules() == null) {
      return List.of();
    }
    return auth.getChannelRules().stream().filter(java.util.Objects::nonNull)
        .map(rule -> rule.getTopicPrefix() + "=" + rule.getClaim()).distinct().sorted().toList();
  }

  /** A copy of the JWT secret reference with the CRD's default key, or null without auth. */
  private static SecretKeyRef withDefaultKey(SecretKeyRef ref) {
    if (ref == null) {
      return null;
    }
    SecretKeyRef copy = new SecretKeyRef();
    copy.setName(ref.getName());
    copy.setKey(ref.getKey() == null || ref.getKey().isBlank() ? DEFAULT_JWT_KEY : ref.getKey());
    return copy;
  }

  /**
   * Validates the tenant and what the reconciler resolved for it.
   *
   * @throws InvalidTenantException naming the field when no runtime can be built from them
   */
  public static RuntimeModel fromTenant(RealtimeTenant tenant, ResolvedInputs inputs) {
    requireIdentity(tenant);
    if (tenant.getSpec() == null) {
      throw new InvalidTenantException("spec is required");
    }
    if (inputs == null) {
      throw new IllegalArgumentException("resolved inputs are required");
    }
    RuntimeModel model = new RuntimeModel(tenant, tenant.getSpec(), inputs);
    model.validate();
    return model;
  }

  private static void requireIdentity(RealtimeTenant tenant) {
    if (tenant == null || tenant.getMetadata() == null) {
      throw new IllegalArgumentException("a tenant with metadata is required");
    }
    String namespace = tenant.getMetadata().getNamespace();
    if (namespace == null || namespace.isBlank()) {
      throw new InvalidTenantException("metadata.namespace is required: a tenant's runtime lives in its namespace");
    }
    String name = tenant.getMetadata().getName();
    if (name == null || name.length() > MAX_TENANT_NAME_LENGTH || !DNS_1035_LABEL.matcher(name).matches()) {
      throw new InvalidTenantException("metadata.name '" + name + "' cannot name the runtime's Services: it must be"
          + " at most " + MAX_TENANT_NAME_LENGTH + " characters of lower-case letters, digits and '-', start with a"
          + " letter and end with a letter or digit");
    }
  }

  private void validate() {
    if (image == null || image.isBlank()) {
      throw new InvalidTenantException("spec.runtime.image is empty and the operator has no default runtime image");
    }
    if (minReplicas < 1 || maxReplicas < minReplicas) {
      throw new InvalidTenantException("spec.runtime.replicas must satisfy 1 <= min <= max, was min " + minReplicas
          + ", max " + maxReplicas);
    }
    if (!SlotNames.isValid(slotName)) {
      throw new InvalidTenantException("replication slot name '" + slotName + "' is invalid: PostgreSQL allows "
          + "only lower-case letters, digits and '_', at most 63 bytes");
    }
    for (String publication : publicationNames) {
      if (!PublicationNames.isValid(publication)) {
        throw new InvalidTenantException("publication name '" + publication + "' is not a lower-case identifier "
            + "of at most 63 bytes");
      }
    }
    if (tlsSecret != null && tlsSecret.isBlank()) {
      throw new InvalidTenantException("spec.runtime.tls.secretRef.name is required: the Secret of type "
          + "kubernetes.io/tls whose certificate the runtime serves");
    }
    if (credentialsChecksum == null || credentialsChecksum.isBlank()) {
      throw new IllegalArgumentException("the credentials checksum is required: compute it with SecretChecksum");
    }
    if (jwtSecretRef != null && (jwtSecretRef.getName() == null || jwtSecretRef.getName().isBlank())) {
      throw new InvalidTenantException("spec.auth.jwtSecretRef.name is required");
    }
    if (jwtSecretRef != null && (jwtSecretChecksum == null || jwtSecretChecksum.isBlank())) {
      throw new IllegalArgumentException("a JWT secret needs its checksum: compute it with SecretChecksum");
    }
    if (previousJwtSecretRef != null && jwtSecretRef == null) {
      throw new InvalidTenantException("spec.auth.previousJwtSecretRef needs spec.auth.jwtSecretRef beside it");
    }
    if (previousJwtSecretRef != null && (previousJwtSecretChecksum == null || previousJwtSecretChecksum.isBlank())) {
      throw new IllegalArgumentException("a previous JWT secret needs its checksum: compute it with SecretChecksum");
    }
    if (relayKeyChecksum == null || relayKeyChecksum.isBlank()) {
      throw new IllegalArgumentException("the relay key checksum is required: compute it with RelayKeySecret");
    }
  }

  public ConfigMap generateConfigMap() {
    return RuntimeConfigMap.build(this);
  }

  /**
   * The Deployment at {@code spec.runtime.replicas.min} replicas. The operator applies
   * {@link #generateDeployment(Integer) generateDeployment(null)} instead: the replica count is the
   * runtime status loop's.
   */
  public Deployment generateDeployment() {
    return generateDeployment(minReplicas);
  }

  /**
   * The Deployment at the given replica count. Null leaves {@code spec.replicas} out, so that the
   * tenant workflow's server-side apply does not own the field: the runtime status loop sets it,
   * under its own field manager, from the clients (autoscaling mode Operator) or from
   * {@code spec.runtime.replicas.desired} (mode External).
   */
  public Deployment generateDeployment(Integer replicas) {
    return RuntimeDeployment.build(this, replicas);
  }

  /** The ClusterIP Service clients connect to. */
  public Service generateService() {
    return RuntimeServices.clientService(this);
  }

  /** The headless Service through which the leader relays changes to the other pods. */
  public Service generateRelayService() {
    return RuntimeServices.relayService(this);
  }

  public ServiceAccount generateServiceAccount() {
    return RuntimeRbac.serviceAccount(this);
  }

  public Role generateRole() {
    return RuntimeRbac.role(this);
  }

  public RoleBinding generateRoleBinding() {
    return RuntimeRbac.roleBinding(this);
  }

  public PodDisruptionBudget generatePodDisruptionBudget() {
    return RuntimeDisruptionBudget.build(this);
  }

  /** Where clients connect, for {@code status.endpoints}. */
  public Endpoints endpoints() {
    return RuntimeEndpoints.of(this);
  }

  /** The runtime's non-secret configuration, as the ConfigMap holds it. */
  public Map<String, String> configData() {
    return RuntimeConfigMap.data(this);
  }

  /**
   * SHA-256 over the configuration and the Secret checksums (the relay key's included): the pod
   * template's checksum annotation.
   */
  public String configChecksum() {
    return ConfigChecksum.of(configData(), credentialsChecksum, jwtSecretChecksum, previousJwtSecretChecksum,
        relayKeyChecksum);
  }

  /** Whether the runtime has a publication to stream: it refuses to start with none. */
  public boolean hasPublications() {
    return !publicationNames.isEmpty();
  }

  public String tenantName() {
    return names.tenant();
  }

  public String namespace() {
    return namespace;
  }

  public RuntimeNames names() {
    return names;
  }

  public String slotName() {
    return slotName;
  }

  public List<String> publicationNames() {
    return publicationNames;
  }

  /** The claim-based access rules the runtime enforces ({@code SLIPSTREAM_ACCESS_RULES}). */
  public List<String> accessRules() {
    return accessRules;
  }

  public String image() {
    return image;
  }

  public int minReplicas() {
    return minReplicas;
  }

  public int maxReplicas() {
    return maxReplicas;
  }

  DatabaseConnection database() {
    return database;
  }

  RuntimeLimits limits() {
    return limits;
  }

  /** The CRD's duration as written, checked to be one the runtime reads (not zero, not 0.1ms). */
  private static String heartbeatInterval(String value) {
    if (value == null) {
      return DEFAULT_HEARTBEAT_INTERVAL;
    }
    try {
      return dev.slipstream.runtime.config.RuntimeConfig.HEARTBEAT_INTERVAL.writeChecked(value);
    } catch (IllegalArgumentException e) {
      throw new InvalidTenantException("spec.replication.heartbeatInterval must be a positive duration such as 30s "
          + "or 1m, was '" + value + "'");
    }
  }

  String heartbeatInterval() {
    return heartbeatInterval;
  }

  ResourceRequirements resources() {
    return resources == null ? null : new ResourceRequirementsBuilder(resources).build();
  }

  SecretKeyRef jwtSecretRef() {
    return jwtSecretRef;
  }

  /** The secret before the last rotation, still accepted, or null. */
  SecretKeyRef previousJwtSecretRef() {
    return previousJwtSecretRef;
  }

  /** The {@code iss} every client token must carry, or null when it is not checked. */
  String jwtIssuer() {
    return jwtIssuer;
  }

  /** Who may join which private channel ({@code SLIPSTREAM_CHANNEL_RULES}), each {@code topicPrefix=claim}. */
  List<String> channelRules() {
    return channelRules;
  }

  /** The {@code aud} every client token must name, or null when it is not checked. */
  String jwtAudience() {
    return jwtAudience;
  }

  /** The Secret the client port's certificate comes from, or null without TLS. */
  String tlsSecret() {
    return tlsSecret;
  }

  /** Whether clients connect with TLS (wss://, https://). */
  public boolean servesTls() {
    return tlsSecret != null;
  }

  /** Metadata of a runtime object: name, the tenant's namespace, the runtime labels. */
  ObjectMeta metadata(String name) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(namespace)
        .withLabels(RuntimeLabels.of(names.tenant()))
        .build();
  }
}
