package dev.slipstream.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.testing.kube.CommandResult;
import dev.slipstream.testing.kube.KubeApiServerExtension;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The generated CRDs loaded into a real kube-apiserver: what the API server accepts, what it
 * rejects, and that every rejection names the offending field the way {@code kubectl} prints it.
 */
class CrdValidationIT {

  @RegisterExtension
  static final KubeApiServerExtension kube = KubeApiServerExtension.withSlipstreamCrds();

  private static final AtomicInteger namespaces = new AtomicInteger();
  private String namespace;

  @BeforeEach
  void freshNamespace() {
    namespace = "crd-validation-" + namespaces.incrementAndGet();
    kube.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
        .build()).create();
  }

  @Test
  void acceptsAValidTenantAndFillsInDefaults() {
    apply(tenant("acme", "slipstream_acme", 1, 3, "Delete")).isAccepted();

    RealtimeTenant stored = client().resources(RealtimeTenant.class).inNamespace(namespace).withName("acme").get();
    RealtimeTenantSpec spec = stored.getSpec();
    assertThat(spec.getDatabase().getPort()).isEqualTo(5432);
    assertThat(spec.getDatabase().getSslMode()).isEqualTo(SslMode.PREFER);
    assertThat(spec.getDatabase().getCredentialsSecretRef().getUsernameKey()).isEqualTo("username");
    assertThat(spec.getReplication().getReclaimPolicy()).isEqualTo(ReclaimPolicy.DELETE);
    assertThat(spec.getReplication().getMaxLagBytes().toString()).isEqualTo("1Gi");
    assertThat(spec.getReplication().getHeartbeatInterval()).isEqualTo("30s");
    assertThat(spec.getReplication().getFailover()).isFalse();
    assertThat(spec.getRuntime().getTargetClientsPerReplica()).isEqualTo(10000);
    assertThat(spec.getRuntime().getAutoscaling().getMode()).isEqualTo(AutoscalingMode.OPERATOR);
    assertThat(spec.getLimits().getMaxClients()).isEqualTo(50000);
    assertThat(spec.getLimits().getClientBufferBytes().toString()).isEqualTo("1Mi");
  }

  @Test
  void fillsInEveryLimitsDefault() {
    apply(tenant("acme", "slipstream_acme", 1, 3, "Delete")).isAccepted();

    LimitsSpec limits = client().resources(RealtimeTenant.class).inNamespace(namespace).withName("acme").get()
        .getSpec().getLimits();
    assertThat(limits.getMaxEventsPerSecond()).isEqualTo(10000);
    assertThat(limits.getMaxJoinsPerSecond()).isEqualTo(500);
    assertThat(limits.getMaxChannelsPerClient()).isEqualTo(100);
    assertThat(limits.getMaxPayloadBytes().toString()).isEqualTo("1Mi");
    assertThat(limits.getMaxEventsPerSecondPerClient()).isEqualTo(100);
    assertThat(limits.getMaxJoinsPerSecondPerClient()).isEqualTo(10);
    assertThat(limits.getClientInboundBytesPerSecond().toString()).isEqualTo("1Mi");
    assertThat(limits.getMaxBindingsPerChannel()).isEqualTo(100);
    assertThat(limits.getMaxBindingsPerClient()).isEqualTo(500);
    assertThat(limits.getMaxFilterLength()).isEqualTo(4096);
    assertThat(limits.getMaxFilterValues()).isEqualTo(100);
    assertThat(limits.getMaxTopicLength()).isEqualTo(256);
    assertThat(limits.getMaxPresencePayloadBytes().toString()).isEqualTo("10Ki");
    assertThat(limits.getMaxPresencesPerClient()).isEqualTo(10);
    assertThat(limits.getHandshakeTimeout()).isEqualTo("10s");
    assertThat(limits.getJoinTimeout()).isEqualTo("30s");
    assertThat(limits.getIdleTimeout()).isEqualTo("60s");
  }

  @Test
  void acceptsATenantWithEveryLimitSet() {
    apply(tenantWithLimits("""
        maxEventsPerSecondPerClient: 20
        maxJoinsPerSecondPerClient: 5
        clientInboundBytesPerSecond: 256Ki
        maxBindingsPerChannel: 50
        maxBindingsPerClient: 50
        maxFilterLength: 1024
        maxFilterValues: 10
        maxTopicLength: 64
        maxPresencePayloadBytes: 2048
        maxPresencesPerClient: 3
        handshakeTimeout: 5s
        joinTimeout: 1m30s
        idleTimeout: 500ms
        """)).isAccepted();

    LimitsSpec limits = client().resources(RealtimeTenant.class).inNamespace(namespace).withName("acme").get()
        .getSpec().getLimits();
    assertThat(limits.getMaxEventsPerSecondPerClient()).isEqualTo(20);
    assertThat(limits.getMaxJoinsPerSecondPerClient()).isEqualTo(5);
    assertThat(limits.getClientInboundBytesPerSecond().toString()).isEqualTo("256Ki");
    assertThat(limits.getMaxBindingsPerChannel()).isEqualTo(50);
    assertThat(limits.getMaxBindingsPerClient()).isEqualTo(50);
    assertThat(limits.getMaxFilterLength()).isEqualTo(1024);
    assertThat(limits.getMaxFilterValues()).isEqualTo(10);
    assertThat(limits.getMaxTopicLength()).isEqualTo(64);
    assertThat(limits.getMaxPresencePayloadBytes().toString()).isEqualTo("2048");
    assertThat(limits.getMaxPresencesPerClient()).isEqualTo(3);
    assertThat(limits.getHandshakeTimeout()).isEqualTo("5s");
    assertThat(limits.getJoinTimeout()).isEqualTo("1m30s");
    assertThat(limits.getIdleTimeout()).isEqualTo("500ms");
    // Limits left out still get their defaults.
    assertThat(limits.getMaxClients()).isEqualTo(50000);
  }

  @Test
  void rejectsAMalformedTimeout() {
    apply(tenantWithLimits("idleTimeout: \"60\"\n")).isRejectedWith(
        "spec.limits.idleTimeout: Invalid value: \"60\"", "should match '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$'");
    apply(tenantWithLimits("handshakeTimeout: PT10S\n"))
        .isRejectedWith("spec.limits.handshakeTimeout: Invalid value: \"PT10S\"");
    apply(tenantWithLimits("joinTimeout: 30 s\n")).isRejectedWith("spec.limits.joinTimeout: Invalid value: \"30 s\"");
    apply(tenantWithLimits("idleTimeout: 0m0s\n")).isRejectedWith("spec.limits.idleTimeout", "must be longer than zero");
  }

  @Test
  void acceptsATokenIssuerAndAudienceOnOneLine() {
    apply(tenantWithAuth("issuer: https://acme.example/auth/v1\n    audience: authenticated")).isAccepted();
    AuthSpec auth = client().resources(RealtimeTenant.class).inNamespace(namespace).withName("acme").get()
        .getSpec().getAuth();
    assertThat(auth.getIssuer()).isEqualTo("https://acme.example/auth/v1");
    assertThat(auth.getAudience()).isEqualTo("authenticated");

    apply(tenantWithAuth("issuer: \"https://acme.example\\nX-Injected: 1\"")).isRejectedWith(
        "spec.auth.issuer: Invalid value");
    apply(tenantWithAuth("audience: \"\"")).isRejectedWith("spec.auth.audience: Invalid value");
  }

  @Test
  void acceptsChannelRulesAndRefusesOnesTheRuntimeWouldReadDifferently() {
    apply(tenantWithAuth("channelRules:\n    - {topicPrefix: \"org:\", claim: app_metadata.org_id}\n"
        + "    - {topicPrefix: team-, claim: \"https://example.com/team\"}")).isAccepted();
    assertThat(client().resources(RealtimeTenant.class).inNamespace(namespace).withName("acme").get().getSpec()
        .getAuth().getChannelRules()).extracting(ChannelRule::getTopicPrefix, ChannelRule::getClaim).containsExactly(
            org.assertj.core.groups.Tuple.tuple("org:", "app_metadata.org_id"),
            org.assertj.core.groups.Tuple.tuple("team-", "https://example.com/team"));

    apply(tenantWithAuth("channelRules: [{topicPrefix: \"org:\"}]")).isRejectedWith(
        "spec.auth.channelRules[0].claim: Required value");
    apply(tenantWithAuth("channelRules: [{topicPrefix: \"realtime:org:\", claim: sub}]")).isRejectedWith(
        "spec.auth.channelRules[0].topicPrefix", "topicPrefix is the topic without realtime:");
    apply(tenantWithAuth("channelRules: [{topicPrefix: \"org,team:\", claim: sub}]")).isRejectedWith(
        "spec.auth.channelRules[0].topicPrefix: Invalid value");
    apply(tenantWithAuth("channelRules: [{topicPrefix: \"a=b\", claim: sub}]")).isRejectedWith(
        "spec.auth.channelRules[0].topicPrefix: Invalid value");
    apply(tenantWithAuth("channelRules: [{topicPrefix: \"\", claim: sub}]")).isRejectedWith(
        "spec.auth.channelRules[0].topicPrefix: Invalid value");
    apply(tenantWithAuth("channelRules: [{topicPrefix: \"org:\", claim: \"org id\"}]")).isRejectedWith(
        "spec.auth.channelRules[0].claim: Invalid value");
    String tooMany = java.util.stream.IntStream.rangeClosed(1, 65)
        .mapToObj(i -> "{topicPrefix: \"t" + i + ":\", claim: sub}").collect(java.util.stream.Collectors.joining(", "));
    apply(tenantWithAuth("channelRules: [" + tooMany + "]")).isRejectedWith("spec.auth.channelRules: Too many");
  }

  @Test
  void aDatabaseCaNeedsVerifyFullAndItsKeyDefaultsToCaCrt() {
    String base = tenant("acme", "slipstream_acme", 1, 3, "Delete");
    apply(base.replace("credentialsSecretRef: {name: acme-db}",
        "credentialsSecretRef: {name: acme-db}\n    caSecretRef: {name: acme-db-ca}")).isRejectedWith(
        "spec.database: Invalid value", "database.caSecretRef needs database.sslMode verify-full");
    apply(base.replace("credentialsSecretRef: {name: acme-db}",
        "credentialsSecretRef: {name: acme-db}\n    sslMode: require\n    caSecretRef: {name: acme-db-ca}"))
        .isRejectedWith("database.caSecretRef needs database.sslMode verify-full");
    apply(base.replace("credentialsSecretRef: {name: acme-db}",
        "credentialsSecretRef: {name: acme-db}\n    sslMode: verify-full\n    caSecretRef: {name: acme-db-ca}"))
        .isAccepted();
    RealtimeTenant stored = client().resources(RealtimeTenant.class).inNamespace(namespace).withName("acme").get();
    assertThat(stored.getSpec().getDatabase().getCaSecretRef().getKey()).isEqualTo("ca.crt");
  }

  @Test
  void rejectsMoreBindingsPerChannelThanPerClient() {
    apply(tenantWithLimits("maxBindingsPerChannel: 200\nmaxBindingsPerClient: 100\n")).isRejectedWith(
        "spec.limits.maxBindingsPerChannel: Invalid value",
        "limits.maxBindingsPerChannel must not exceed limits.maxBindingsPerClient");
  }

  @Test
  void checksBindingsPerChannelAgainstTheDefaultPerClient() {
    apply(tenantWithLimits("maxBindingsPerChannel: 501\n")).isRejectedWith(
        "spec.limits.maxBindingsPerChannel: Invalid value", "maxBindingsPerClient (default 500)");
    apply(tenantWithLimits("maxBindingsPerChannel: 500\n")).isAccepted();
  }

  @Test
  void rejectsLimitsBelowOne() {
    apply(tenantWithLimits("maxTopicLength: 0\n"))
        .isRejectedWith("spec.limits.maxTopicLength: Invalid value: 0", "should be greater than or equal to 1");
    apply(tenantWithLimits("maxEventsPerSecondPerClient: -5\n"))
        .isRejectedWith("spec.limits.maxEventsPerSecondPerClient: Invalid value: -5");
    apply(tenantWithLimits("maxPresencePayloadBytes: \"0\"\n"))
        .isRejectedWith("spec.limits.maxPresencePayloadBytes", "must be a positive quantity of bytes");
    apply(tenantWithLimits("clientInboundBytesPerSecond: lots\n"))
        .isRejectedWith("spec.limits.clientInboundBytesPerSecond", "must be a positive quantity of bytes");
  }

  @Test
  void acceptsAValidPublicationAndFillsInDefaults() {
    apply(publication("orders", "acme_orders", """
          tables:
            - name: orders
              columns: [id, status]
              where: "status <> 'draft'"
          tablesInSchemas: [billing]
          access:
            - {table: public.orders, column: customer_id, claim: sub}
        """)).isAccepted();

    RealtimePublication stored =
        client().resources(RealtimePublication.class).inNamespace(namespace).withName("orders").get();
    assertThat(stored.getSpec().getTables().getFirst().getSchema()).isEqualTo("public");
    assertThat(stored.getSpec().getOperations())
        .containsExactly(Operation.INSERT, Operation.UPDATE, Operation.DELETE, Operation.TRUNCATE);
    assertThat(stored.getSpec().getReclaimPolicy()).isEqualTo(ReclaimPolicy.DELETE);
    assertThat(stored.getSpec().getReplicaIdentityFull()).isFalse();
  }

  @Test
  void rejectsASlotNameWithACapitalLetter() {
    apply(tenant("acme", "Slipstream_acme", 1, 3, "Delete"))
        .isRejectedWith("spec.replication.slotName: Invalid value: \"Slipstream_acme\"", "should match '^[a-z0-9_]+$'");
  }

  @Test
  void rejectsASlotNameOver63Bytes() {
    String name = "s".repeat(64);
    apply(tenant("acme", name, 1, 3, "Delete"))
        .isRejectedWith("spec.replication.slotName: Too long: may not be", "63");
  }

  @Test
  void acceptsASlotNameOfExactly63Bytes() {
    apply(tenant("acme", "s".repeat(63), 1, 3, "Delete")).isAccepted();
  }

  @Test
  void rejectsMinReplicasAboveMax() {
    apply(tenant("acme", "slipstream_acme", 5, 2, "Delete"))
        .isRejectedWith("spec.runtime.replicas: Invalid value", "replicas.min must not exceed replicas.max");
  }

  @Test
  void kubectlScaleOfATenantTheOperatorScalesIsRefusedNamingTheRule() {
    apply(tenant("acme", "slipstream_acme", 1, 3, "Delete")).isAccepted();

    CommandResult scale = kube.kubectl("scale", "-n", namespace, "rtt/acme", "--replicas=2");
    assertThat(scale.succeeded()).as(scale.toString()).isFalse();
    assertThat(oneLine(scale.stderr())).contains("spec.runtime.replicas.desired")
        .contains("is only for autoscaling.mode External");
    assertThat(client().resources(RealtimeTenant.class).inNamespace(namespace).withName("acme").get()
        .getSpec().getRuntime().getReplicas().getDesired()).isNull();
  }

  @Test
  void kubectlScaleSetsTheDesiredReplicasOfAnExternallyScaledTenant() {
    apply(externallyScaled(1, 5, 1)).isAccepted();

    CommandResult scale = kube.kubectl("scale", "-n", namespace, "rtt/acme", "--replicas=3");
    assertThat(scale.succeeded()).as(scale.toString()).isTrue();
    assertThat(client().resources(RealtimeTenant.class).inNamespace(namespace).withName("acme").get()
        .getSpec().getRuntime().getReplicas().getDesired()).isEqualTo(3);

    CommandResult tooMany = kube.kubectl("scale", "-n", namespace, "rtt/acme", "--replicas=6");
    assertThat(tooMany.succeeded()).as(tooMany.toString()).isFalse();
    assertThat(oneLine(tooMany.stderr())).contains("spec.runtime.replicas.desired")
        .contains("replicas.desired must lie within replicas.min..replicas.max");
  }

  @Test
  void theScaleSubresourceReadsTheRuntimesStatus() {
    apply(externallyScaled(1, 5, 2)).isAccepted();
    RealtimeTenant status = new RealtimeTenant();
    status.setMetadata(new ObjectMetaBuilder().withName("acme").withNamespace(namespace).build());
    status.setSpec(null);
    status.setStatus(new RealtimeTenantStatus());
    status.getStatus().setConditions(null);
    status.getStatus().setRuntime(new RuntimeStatus());
    status.getStatus().getRuntime().setPods(null);
    status.getStatus().getRuntime().setReplicas(2);
    status.getStatus().getRuntime().setSelector("app.kubernetes.io/name=slipstream-runtime,app.kubernetes.io/instance=acme");
    client().resource(status).subresource("status").patch(new PatchContext.Builder()
        .withPatchType(PatchType.SERVER_SIDE_APPLY).withFieldManager("test-operator").withForce(true).build());

    CommandResult scale = kube.kubectl("get", "--raw",
        "/apis/realtime.slipstream.dev/v1alpha1/namespaces/" + namespace + "/realtimetenants/acme/scale");
    assertThat(scale.succeeded()).as(scale.toString()).isTrue();
    assertThat(scale.stdout()).contains("\"replicas\":2")
        .contains("\"selector\":\"app.kubernetes.io/name=slipstream-runtime,app.kubernetes.io/instance=acme\"");
  }

  @Test
  void externalScalingNeedsTheDesiredReplicas() {
    apply(tenant("acme", "slipstream_acme", 1, 3, "Delete") + "    autoscaling: {mode: External}\n")
        .isRejectedWith("spec.runtime.replicas", "autoscaling.mode External needs replicas.desired");
    apply(externallyScaled(2, 4, 1)).isRejectedWith("spec.runtime.replicas.desired",
        "replicas.desired must lie within replicas.min..replicas.max");
    apply(externallyScaled(2, 4, 4)).isAccepted();
  }

  @Test
  void kubectlExplainDescribesScaling() {
    CommandResult desired = kube.kubectl("explain", "realtimetenant.spec.runtime.replicas.desired");
    assertThat(desired.succeeded()).as(desired.toString()).isTrue();
    assertThat(oneLine(desired.stdout())).contains("kubectl scale rtt/<name> --replicas=3")
        .contains("refused with mode Operator");
    CommandResult mode = kube.kubectl("explain", "realtimetenant.spec.runtime.autoscaling.mode");
    assertThat(oneLine(mode.stdout())).contains("ceil(connectedClients / targetClientsPerReplica)")
        .contains("scale subresource");
    CommandResult pending = kube.kubectl("explain", "realtimetenant.status.runtime.pendingScaleDown");
    assertThat(oneLine(pending.stdout())).contains("scaleDownStabilization");
  }

  @Test
  void rejectsAnUnknownReclaimPolicy() {
    apply(tenant("acme", "slipstream_acme", 1, 3, "Keep"))
        .isRejectedWith("spec.replication.reclaimPolicy: Unsupported value: \"Keep\"", "\"Delete\"", "\"Retain\"");
  }

  @Test
  void rejectsATenantWithoutCredentials() {
    apply("""
        apiVersion: realtime.slipstream.dev/v1alpha1
        kind: RealtimeTenant
        metadata: {name: acme}
        spec:
          database: {host: db, name: app}
        """).isRejectedWith("spec.database.credentialsSecretRef: Required value");
  }

  @Test
  void rejectsAChangedSlotName() {
    apply(tenant("acme", "slipstream_acme", 1, 3, "Delete")).isAccepted();

    apply(tenant("acme", "slipstream_other", 1, 3, "Delete"))
        .isRejectedWith("spec.replication.slotName: Invalid value", "replication.slotName is immutable");
  }

  @Test
  void rejectsARemovedSlotName() {
    apply(tenant("acme", "slipstream_acme", 1, 3, "Delete")).isAccepted();

    apply(tenant("acme", null, 1, 3, "Delete"))
        .isRejectedWith("spec.replication.slotName", "replication.slotName cannot be removed once set");
  }

  @Test
  void rejectsAChangedDatabaseName() {
    apply(tenant("acme", "slipstream_acme", 1, 3, "Delete")).isAccepted();

    apply(tenant("acme", "slipstream_acme", 1, 3, "Delete").replace("name: app", "name: other"))
        .isRejectedWith("spec.database.name: Invalid value", "database.name is immutable");
  }

  @Test
  void rejectsAPublicationWithoutTables() {
    apply(publication("orders", "acme_orders", "")).isRejectedWith(
        "spec: Invalid value", "a publication needs at least one entry in tables or tablesInSchemas");
  }

  @Test
  void rejectsAnInvalidPublicationName() {
    apply(publication("orders", "Acme-Orders", "  tables: [{name: orders}]\n"))
        .isRejectedWith("spec.publicationName: Invalid value: \"Acme-Orders\"");
  }

  @Test
  void rejectsAChangedPublicationName() {
    apply(publication("orders", "acme_orders", "  tables: [{name: orders}]\n")).isAccepted();

    apply(publication("orders", "acme_orders_2", "  tables: [{name: orders}]\n"))
        .isRejectedWith("spec.publicationName: Invalid value", "publicationName is immutable");
  }

  @Test
  void rejectsAnUnknownOperation() {
    apply(publication("orders", "acme_orders", "  tables: [{name: orders}]\n  operations: [upsert]\n"))
        .isRejectedWith("spec.operations[0]: Unsupported value: \"upsert\"");
  }

  @Test
  void rejectsATenantNameTooLongForTheRuntimesObjects() {
    apply(tenant("a".repeat(50), "slipstream_acme", 1, 3, "Delete"))
        .isRejectedWith("metadata.name", "at most 49 characters");
  }

  @Test
  void rejectsAMalformedLagBudget() {
    apply(tenant("acme", "slipstream_acme", 1, 3, "Delete").replace("reclaimPolicy: Delete",
        "reclaimPolicy: Delete\n    maxLagBytes: lots")).isRejectedWith("spec.replication.maxLagBytes", "must be a positive quantity of bytes");
  }

  @Test
  void kubectlExplainDescribesFields() {
    CommandResult explain = kube.kubectl("explain", "realtimetenant.spec.replication.maxLagBytes");

    assertThat(explain.succeeded()).as(explain.toString()).isTrue();
    assertThat(explain.stdout()).contains("Budget of WAL the slot may hold back").contains("LagWithinBudget");
  }

  @Test
  void kubectlExplainDescribesTheLimits() {
    CommandResult idle = kube.kubectl("explain", "realtimetenant.spec.limits.idleTimeout");
    assertThat(idle.succeeded()).as(idle.toString()).isTrue();
    assertThat(oneLine(idle.stdout())).contains("close code 4001").contains("realtime-js sends one every 25 s")
        .contains("after 60 s");

    CommandResult presence = kube.kubectl("explain", "realtimetenant.spec.limits.maxPresencePayloadBytes");
    assertThat(oneLine(presence.stdout())).contains("Track message size exceeded").contains("presence_state");

    CommandResult events = kube.kubectl("explain", "realtimetenant.spec.limits.maxEventsPerSecond");
    assertThat(oneLine(events.stdout())).contains("per runtime pod").contains("maxEventsPerSecondPerClient")
        .contains("Supabase");

    CommandResult limits = kube.kubectl("explain", "realtimetenant.spec.limits");
    assertThat(limits.stdout()).contains("maxEventsPerSecondPerClient", "maxJoinsPerSecondPerClient",
        "clientInboundBytesPerSecond", "maxBindingsPerChannel", "maxBindingsPerClient", "maxFilterLength",
        "maxFilterValues", "maxTopicLength", "maxPresencePayloadBytes", "maxPresencesPerClient", "handshakeTimeout",
        "joinTimeout", "idleTimeout");
  }

  /** kubectl explain wraps descriptions; the checks read them as one line. */
  private static String oneLine(String text) {
    return text.replaceAll("\\s+", " ");
  }

  @Test
  void printerColumnsShortNamesAndCategory() {
    apply(tenant("acme", "slipstream_acme", 1, 3, "Delete")).isAccepted();
    apply(publication("orders", "acme_orders", "  tables: [{name: orders}]\n")).isAccepted();

    CommandResult tenants = kube.kubectl("get", "rtt", "-n", namespace);
    assertThat(tenants.succeeded()).as(tenants.toString()).isTrue();
    assertThat(tenants.stdout().lines().findFirst().orElseThrow().split("\\s{2,}"))
        .containsExactly("NAME", "PHASE", "SLOT LAG", "CLIENTS", "READY", "AGE");
    CommandResult wide = kube.kubectl("get", "rtt", "-n", namespace, "-o", "wide");
    assertThat(wide.stdout().lines().findFirst().orElseThrow().split("\\s{2,}"))
        .containsExactly("NAME", "PHASE", "SLOT LAG", "CLIENTS", "READY", "FAILOVER", "AGE");

    CommandResult publications = kube.kubectl("get", "rtpub", "-n", namespace);
    assertThat(publications.stdout().lines().findFirst().orElseThrow().split("\\s{2,}"))
        .containsExactly("NAME", "TENANT", "PUBLICATION", "TABLES", "READY", "AGE");
    assertThat(publications.stdout()).contains("acme");

    CommandResult category = kube.kubectl("get", "slipstream", "-n", namespace, "-o", "name");
    assertThat(category.stdout().lines().toList()).containsExactlyInAnyOrder(
        "realtimetenant.realtime.slipstream.dev/acme", "realtimepublication.realtime.slipstream.dev/orders");
  }

  @Test
  void eachRuntimePodOwnsItsOwnStatusEntry() {
    apply(tenant("acme", "slipstream_acme", 1, 3, "Delete")).isAccepted();

    // Two field managers, as two runtime pods would be: each applies only its own entry.
    applyPodStatus("acme-runtime-a", 10L);
    applyPodStatus("acme-runtime-b", 20L);
    applyPodStatus("acme-runtime-a", 11L);

    RealtimeTenant stored = client().resources(RealtimeTenant.class).inNamespace(namespace).withName("acme").get();
    assertThat(stored.getStatus().getRuntime().getPods())
        .extracting(RuntimePodStatus::getName, RuntimePodStatus::getClients)
        .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("acme-runtime-a", 11L),
            org.assertj.core.groups.Tuple.tuple("acme-runtime-b", 20L));
  }

  private void applyPodStatus(String pod, long clients) {
    RealtimeTenant patch = new RealtimeTenant();
    patch.setMetadata(new ObjectMetaBuilder().withName("acme").withNamespace(namespace).build());
    RealtimeTenantStatus status = new RealtimeTenantStatus();
    status.setConditions(null);
    RuntimeStatus runtime = new RuntimeStatus();
    RuntimePodStatus entry = new RuntimePodStatus(pod);
    entry.setClients(clients);
    runtime.setPods(List.of(entry));
    status.setRuntime(runtime);
    patch.setStatus(status);
    client().resource(patch).subresource("status").patch(new PatchContext.Builder()
        .withPatchType(PatchType.SERVER_SIDE_APPLY)
        .withFieldManager("slipstream-runtime/" + pod)
        .withForce(true)
        .build());
  }

  private static KubernetesClient client() {
    return kube.client();
  }

  private static String tenant(String name, String slotName, int minReplicas, int maxReplicas, String reclaimPolicy) {
    return """
        apiVersion: realtime.slipstream.dev/v1alpha1
        kind: RealtimeTenant
        metadata: {name: %s}
        spec:
          database:
            host: acme-db.acme.svc
            name: app
            credentialsSecretRef: {name: acme-db}
          replication:
            %s
            reclaimPolicy: %s
          runtime:
            replicas: {min: %d, max: %d}
        """.formatted(name, slotName == null ? "" : "slotName: \"" + slotName + "\"", reclaimPolicy,
        minReplicas, maxReplicas);
  }

  /** The valid tenant {@code acme}, scaled from outside (autoscaling.mode External). */
  private static String externallyScaled(int min, int max, int desired) {
    return tenant("acme", "slipstream_acme", min, max, "Delete")
        .replace("replicas: {min: %d, max: %d}".formatted(min, max),
            "replicas: {min: %d, max: %d, desired: %d}\n    autoscaling: {mode: External}".formatted(min, max, desired));
  }

  /** The valid tenant {@code acme} with {@code limitsYaml} (one field a line) as its {@code spec.limits}. */
  private static String tenantWithLimits(String limitsYaml) {
    return tenant("acme", "slipstream_acme", 1, 3, "Delete") + "  limits:\n"
        + limitsYaml.lines().map(line -> "    " + line + "\n").collect(java.util.stream.Collectors.joining());
  }

  /** The valid tenant {@code acme} with a JWT secret and {@code authYaml} (indented for spec.auth) beside it. */
  private static String tenantWithAuth(String authYaml) {
    return tenant("acme", "slipstream_acme", 1, 3, "Delete") + "  auth:\n    jwtSecretRef: {name: acme-jwt}\n    "
        + authYaml + "\n";
  }

  private static String publication(String name, String publicationName, String rest) {
    return """
        apiVersion: realtime.slipstream.dev/v1alpha1
        kind: RealtimePublication
        metadata: {name: %s}
        spec:
          tenantRef: {name: acme}
          publicationName: "%s"
        %s""".formatted(name, publicationName, rest);
  }

  private Outcome apply(String yaml) {
    return new Outcome(kube.kubectlApply(namespace, yaml));
  }

  /** What {@code kubectl apply} said. */
  record Outcome(CommandResult result) {

    void isAccepted() {
      assertThat(result.succeeded()).as("kubectl apply should succeed:\n%s", result).isTrue();
    }

    void isRejectedWith(String... fragments) {
      assertThat(result.succeeded()).as("kubectl apply should be rejected:\n%s", result).isFalse();
      assertThat(result.stderr()).as(result.toString()).contains(fragments);
    }
  }
}
