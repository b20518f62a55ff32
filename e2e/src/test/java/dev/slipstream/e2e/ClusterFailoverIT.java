package dev.slipstream.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.api.v1alpha1.Condition;
import dev.slipstream.api.v1alpha1.ConditionTypes;
import dev.slipstream.api.v1alpha1.Conditions;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.TenantPhase;
import dev.slipstream.testing.kube.KubeApiServerExtension;
import dev.slipstream.testing.node.NodeAgent;
import dev.slipstream.testing.node.NodeAgent.RunningContainer;
import dev.slipstream.testing.postgres.LedgerWriter;
import dev.slipstream.testing.postgres.TestPostgres;
import io.fabric8.kubernetes.api.model.Event;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A database failover under the operator, as a platform team lives it: the example tenant with
 * {@code spec.replication.failover: true} on a PostgreSQL 17 primary that has a streaming standby
 * keeping a copy of the tenant's slot ({@code sync_replication_slots}; the primary's
 * {@code synchronized_standby_slots} names the standby's physical slot), on a real control plane
 * with the chart's operator and two runtime pods; an app committing orders through a connection
 * string that names both servers ({@code targetServerType=primary}, as apps follow a failover),
 * and the unmodified realtime-js client connected through the tenant's Service. The primary goes
 * away, the standby is promoted, and the platform team points the tenant at it
 * ({@code kubectl patch}: {@code spec.database.port}). The operator must find the slot's
 * synchronized copy there (not make a new one), roll the pods to the new server, and say in the
 * status that a further failover would now lose the slot (no standby left); the app must end with
 * every committed row, in order. Prints a timeline.
 */
@Tag("pod-network") // Failsafe runs it in the pod network's namespace (e2e/pom.xml)
class ClusterFailoverIT {

  @RegisterExtension
  @Order(1)
  static final Timeline timeline = new Timeline();

  @RegisterExtension
  @Order(2)
  static final KubeApiServerExtension kube = KubeApiServerExtension.controlPlane();

  @RegisterExtension
  @Order(3)
  static final TestPostgres primary = TestPostgres.logical();

  private static final Duration WAIT = Duration.ofMinutes(3);
  private static final String NS = "acme";
  private static final String TENANT = "acme";
  private static final String RUNTIME = TENANT + "-runtime-";
  private static final String STANDBY_SLOT = "standby_slot";
  private static final String STANDBY_NAME = "acme_standby";
  private static final String JWT_SECRET = "a-string-of-at-least-32-characters-for-hs256"; // examples/acme-db-secret.yaml
  private static NodeAgent node;
  private static TestPostgres standby;
  private static Path examples;

  @BeforeAll
  static void startNode() throws Exception {
    timeline.mark("control plane up (etcd, kube-apiserver, kube-controller-manager) and PostgreSQL 17");
    node = ClusterSteps.startNode(kube, "failover-pods");
  }

  @AfterAll
  static void stopEverything() throws Exception {
    if (node != null) {
      node.close();
    }
    if (standby != null) {
      standby.stop();
    }
    Examples.deleteTree(examples);
  }

  @Test
  void theTenantFollowsItsDatabaseToThePromotedStandbyAndTheAppMissesNothing() throws Exception {
    ClusterSteps.assumeRoutablePods(node);
    ClusterSteps.assumeRealtimeJs();
    ClusterSteps.installChart(kube);

    // examples/README.md's database, and a standby set up as docs/reliability.md describes.
    Examples.prepareDatabase(primary);
    primary.execute("SELECT pg_create_physical_replication_slot('" + STANDBY_SLOT + "', true)");
    standby = TestPostgres.standbyOf(primary, STANDBY_SLOT, STANDBY_NAME).start();
    primary.execute("ALTER SYSTEM SET synchronized_standby_slots = '" + STANDBY_SLOT + "'",
        "ALTER SYSTEM SET synchronous_standby_names = '" + STANDBY_NAME + "'", "SELECT pg_reload_conf()");
    await().atMost(WAIT).ignoreExceptions().until(() -> "streaming,sync".equals(query(primary, "SELECT state || ','"
        + " || sync_state FROM pg_stat_replication WHERE application_name = '" + STANDBY_NAME + "'")));
    timeline.mark("the standby streams synchronously from the primary");

    examples = Examples.copyWithDatabase("localhost", primary.port());
    Path tenantFile = examples.resolve("acme-tenant.yaml");
    String asked = Files.readString(tenantFile).replace("failover: false", "failover: true");
    assertThat(asked).as("examples/acme-tenant.yaml has spec.replication.failover").contains("failover: true");
    Files.writeString(tenantFile, asked);
    ClusterSteps.kubectl(kube, "apply", "-f", examples.toString());
    ClusterSteps.kubectl(kube, "patch", "rtt", TENANT, "-n", NS, "--type", "merge", "-p",
        "{\"spec\":{\"runtime\":{\"replicas\":{\"min\":2,\"max\":2}}}}");
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(node.running(NS, RUNTIME)).hasSize(2);
      assertThat(ServiceProxy.readyEndpoints(kube.client(), NS, TENANT + "-runtime", "http")).hasSize(2);
      assertThat(ClusterSteps.phase(kube, NS, TENANT)).isEqualTo(TenantPhase.READY);
      assertThat(condition(ConditionTypes.FAILOVER_READY).getStatus()).isEqualTo("True");
    });
    String slot = ClusterSteps.tenant(kube, NS, TENANT).getStatus().getSlot().getName();
    timeline.mark("tenant Ready with two runtime pods; FailoverReady True: slot " + slot + " is a failover slot");
    // What docs/reliability.md tells a platform team to check before a failover: the standby's copy.
    await().atMost(WAIT).ignoreExceptions().until(() -> "true,false".equals(query(standby, "SELECT synced::text || ','"
        + " || temporary::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'")));
    timeline.mark("the standby holds a synchronized, persistent copy of the slot");

    String servers = "jdbc:postgresql://localhost:" + primary.port() + ",localhost:" + standby.port()
        + "/app?targetServerType=primary";
    try (ServiceForwarder service = ServiceForwarder.start(() -> ServiceProxy.readyEndpoints(kube.client(), NS,
            TENANT + "-runtime", "http").stream().findFirst().orElse(null));
        LedgerWriter writer = LedgerWriter.orders(servers, primary.user(), primary.password(), 20, 42);
        RealtimeJsClient app = RealtimeJsClient.resumingOrdersLogged(service.address(),
            Examples.token(JWT_SECRET, "42"))) {
      await().atMost(WAIT).until(() -> app.subscribed() || app.lines.stream().anyMatch(l -> l.contains("ERROR")));
      assertThat(app.lines).as("realtime-js's output").contains("STATUS SUBSCRIBED");
      writer.start();
      await().atMost(WAIT).until(() -> app.rows().size() >= 40);
      timeline.mark("realtime-js subscribed through the Service, receiving the app's orders");

      Set<String> oldPods = node.running(NS, RUNTIME).stream().map(RunningContainer::pod).collect(Collectors.toSet());
      long committedBefore = writer.committed();
      primary.stop();
      timeline.mark("the primary stopped (" + committedBefore + " orders committed)");
      standby.promote();
      timeline.mark("the standby promoted (pg_promote)");
      ClusterSteps.kubectl(kube, "patch", "rtt", TENANT, "-n", NS, "--type", "merge", "-p",
          "{\"spec\":{\"database\":{\"port\":" + standby.port() + "}}}");
      timeline.mark("the tenant pointed at the promoted standby (kubectl patch spec.database.port)");
      await().atMost(WAIT).until(() -> writer.committed() > committedBefore + 10);
      timeline.mark("the app commits on the promoted standby");
      await().atMost(WAIT).until(() -> app.rows().stream().anyMatch(id -> id > committedBefore + 10));
      timeline.mark("realtime-js receives orders committed on the promoted standby");
      await().atMost(WAIT).untilAsserted(() -> {
        List<RunningContainer> running = node.running(NS, RUNTIME);
        assertThat(running).hasSize(2).noneMatch(c -> oldPods.contains(c.pod()));
        assertThat(ServiceProxy.readyEndpoints(kube.client(), NS, TENANT + "-runtime", "http")).hasSize(2);
        assertThat(condition(ConditionTypes.DATABASE_READY).getStatus()).isEqualTo("True");
        assertThat(condition(ConditionTypes.SLOT_READY).getStatus()).isEqualTo("True");
        assertThat(condition(ConditionTypes.RUNTIME_READY).getStatus()).isEqualTo("True");
        Condition failover = condition(ConditionTypes.FAILOVER_READY);
        assertThat(failover.getStatus()).as(failover.getMessage()).isEqualTo("False");
        assertThat(failover.getReason()).isEqualTo("NoSynchronizedStandbySlots");
        assertThat(ClusterSteps.phase(kube, NS, TENANT)).isEqualTo(TenantPhase.DEGRADED);
      });
      timeline.mark("both pods rolled to the promoted server; the tenant Degraded: FailoverReady False, "
          + "NoSynchronizedStandbySlots (a further failover would lose the slot until a new standby is set up)");
      assertThat(query(standby, "SELECT synced::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'"))
          .as("the tenant streams from the slot's synchronized copy, not from a slot made anew").isEqualTo("true");
      assertThat(slotEvents()).as("no Event says the slot was made again or lost").noneMatch(e -> e.getMessage()
          .contains("creat") || "SlotLost".equals(e.getReason()));

      long target = writer.committed() + 40;
      await().atMost(WAIT).until(() -> writer.committed() >= target);
      long last = writer.stop();
      List<Long> written = LongStream.rangeClosed(1, last).boxed().toList();
      await().atMost(WAIT).untilAsserted(() -> assertThat(app.rows()).as(() -> app.missing(written)
          + "; connections placed by the Service at " + service.placed).containsAll(written));
      timeline.mark(app.assertEveryRowInOrder(written) + " (" + writer.retries() + " writes retried by the app"
          + " during the failover)");
    }
  }

  private static Condition condition(String type) {
    RealtimeTenant tenant = ClusterSteps.tenant(kube, NS, TENANT);
    return Conditions.find(tenant.getStatus().getConditions(), type)
        .orElseThrow(() -> new AssertionError("no " + type + " condition in " + tenant.getStatus().getConditions()));
  }

  /** The tenant's Events about its slot. */
  private static List<Event> slotEvents() {
    return kube.client().v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> TENANT.equals(e.getInvolvedObject().getName()) && e.getMessage() != null
            && e.getMessage().contains("slot"))
        .toList();
  }

  private static String query(TestPostgres postgres, String sql) throws SQLException {
    try (Connection connection = postgres.connect(); Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }
}
