package dev.slipstream.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.marcnuri.helm.Helm;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.TenantPhase;
import dev.slipstream.testing.Distribution;
import dev.slipstream.testing.RepositoryLayout;
import dev.slipstream.testing.SseTestClient;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.LocalPortForward;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The release as a platform team meets it, on machines with Docker: the operator's and the runtime's
 * images built from {@code distribution/Dockerfile} (the same distributions the other tests run),
 * imported into a K3s container, the chart installed with Helm, a PostgreSQL deployed where the example
 * tenant expects its database, {@code examples/*.yaml} applied, the tenant Ready, and a client of the
 * tenant's runtime Service receiving a committed row; then the tenant deleted and its slot dropped.
 * Prints a timeline. Without a Docker engine (as on the project's build machines) it is skipped, saying
 * so, before Testcontainers is asked anything.
 *
 * <p>{@code -Dslipstream.k3s.image=rancher/k3s:<tag>} picks another K3s.
 */
class K3sEndToEndIT {

  private static final String K3S_IMAGE = System.getProperty("slipstream.k3s.image", "rancher/k3s:v1.34.1-k3s1");
  private static final String POSTGRES_IMAGE = "postgres:17";
  /** Not "latest", so that pods use the imported image (IfNotPresent) instead of pulling. */
  private static final String TAG = "k3s-e2e";
  private static final String SLIPSTREAM_NAMESPACE = "slipstream-system";
  private static final String TENANT_NAMESPACE = "acme";
  private static final Duration WAIT = Duration.ofMinutes(5);
  private static final Path OUT = Path.of("target", "k3s");

  private final Map<String, Instant> timeline = new LinkedHashMap<>();

  @BeforeAll
  static void needsDocker() {
    String reason = dockerUnavailable();
    if (reason != null) {
      String message = "K3sEndToEndIT skipped: " + reason;
      System.out.println(message); // Surefire's console shows only a count of skipped tests
      Assumptions.abort(message);
    }
  }

  /**
   * Why there is no Docker engine to use, or null. Where nothing even points at one (no
   * {@code DOCKER_HOST}, no {@code docker.host} in {@code ~/.testcontainers.properties}, no socket in
   * the usual places) Testcontainers is not asked: its search would log a warning and a stack trace per
   * strategy it tries, and take seconds, only to say the same.
   */
  private static String dockerUnavailable() {
    String home = System.getProperty("user.home");
    String runtimeDir = System.getenv("XDG_RUNTIME_DIR");
    boolean pointedAt = System.getenv("DOCKER_HOST") != null
        || Stream.of("/var/run/docker.sock", home + "/.docker/run/docker.sock", home + "/.docker/desktop/docker.sock",
            runtimeDir == null ? "/nonexistent" : runtimeDir + "/docker.sock").anyMatch(path -> Files.exists(Path.of(path)))
        || testcontainersPropertiesNameAHost(Path.of(home, ".testcontainers.properties"));
    if (!pointedAt) {
      return "no Docker engine on this machine (no DOCKER_HOST, no /var/run/docker.sock or other Docker socket, no "
          + "docker.host in ~/.testcontainers.properties); it runs where Docker does";
    }
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      return "Testcontainers found no working Docker engine (its log above says why)";
    }
    return null;
  }

  private static boolean testcontainersPropertiesNameAHost(Path file) {
    try {
      return Files.isReadable(file) && Files.readAllLines(file).stream().anyMatch(line -> line.startsWith("docker.host"));
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void aTenantFromTheExamplesStreamsToAClientOnK3s() throws Exception {
    mark("start");
    Files.createDirectories(OUT);
    List<Path> images = List.of(
        saveImage(RepositoryLayout.operatorDistribution(), "operator"),
        saveImage(RepositoryLayout.runtimeDistribution(), "realtime-runtime"));
    mark("images built");

    try (K3sContainer k3s = new K3sContainer(DockerImageName.parse(K3S_IMAGE))) {
      // K3s imports every image archive in this directory when it starts.
      images.forEach(image -> k3s.withCopyFileToContainer(MountableFile.forHostPath(image),
          "/var/lib/rancher/k3s/agent/images/" + image.getFileName()));
      k3s.start();
      Path kubeconfig = Files.writeString(OUT.resolve("kubeconfig"), k3s.getKubeConfigYaml());
      mark("K3s up");
      try (KubernetesClient client = new KubernetesClientBuilder()
          .withConfig(Config.fromKubeconfig(k3s.getKubeConfigYaml())).build()) {
        try {
          run(client, kubeconfig);
        } catch (AssertionError | RuntimeException e) {
          printDiagnostics(client);
          throw e;
        }
      }
    } finally {
      printTimeline();
    }
  }

  private void run(KubernetesClient client, Path kubeconfig) throws Exception {
    Helm.install(RepositoryLayout.root().resolve("charts/slipstream").toString())
        .withName("slipstream").withNamespace(SLIPSTREAM_NAMESPACE).createNamespace().withKubeConfig(kubeconfig)
        .set("operator.image.repository", "slipstream-operator").set("operator.image.tag", TAG)
        .set("operator.image.pullPolicy", "Never")
        .set("runtime.image.repository", "slipstream-runtime").set("runtime.image.tag", TAG)
        .set("operator.recheckInterval", "5s")
        .waitReady().withTimeout((int) WAIT.toSeconds()).call();
    mark("chart installed, operator ready");

    List<HasMetadata> examples = examples(client);
    RealtimeTenant tenant = only(examples, RealtimeTenant.class);
    Secret credentials = secret(examples, tenant.getSpec().getDatabase().getCredentialsSecretRef().getName());
    Secret jwt = secret(examples, tenant.getSpec().getAuth().getJwtSecretRef().getName());
    String tenantNamespace = tenant.getMetadata().getNamespace() != null ? tenant.getMetadata().getNamespace()
        : TENANT_NAMESPACE;
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(tenantNamespace).endMetadata()
        .build()).serverSideApply();
    ExampleDatabase database = ExampleDatabase.deploy(client, tenant, credentials, POSTGRES_IMAGE);
    mark("PostgreSQL ready");

    for (HasMetadata resource : examples) {
      if (resource instanceof Namespace) {
        client.resource(resource).serverSideApply();
      } else {
        client.resource(resource).inNamespace(tenantNamespace).serverSideApply();
      }
    }
    mark("examples applied");
    String name = tenant.getMetadata().getName();
    await().atMost(WAIT).pollInterval(Duration.ofSeconds(2)).until(() -> {
      RealtimeTenant current = client.resources(RealtimeTenant.class).inNamespace(tenantNamespace).withName(name).get();
      return current.getStatus() != null && current.getStatus().getPhase() == TenantPhase.READY;
    });
    mark("tenant Ready");

    String secret = jwt.getStringData().get(tenant.getSpec().getAuth().getJwtSecretRef().getKey());
    try (LocalPortForward runtime = client.services().inNamespace(tenantNamespace).withName(name + "-runtime")
            .portForward(4000);
        LocalPortForward postgres = database.portForward();
        SseTestClient sse = SseTestClient.open(URI.create("http://127.0.0.1:" + runtime.getLocalPort()
            + "/realtime/v1/sse?table=orders&apikey=" + token(secret, "7")), null)) {
      await().atMost(WAIT).until(() -> sse.status == 200);
      try (Connection connection = database.connect(postgres.getLocalPort());
          Statement statement = connection.createStatement()) {
        statement.execute("INSERT INTO orders (id, customer_id, status, total) VALUES (1, 8, 'paid', 10)");
        statement.execute("INSERT INTO orders (id, customer_id, status, total) VALUES (2, 7, 'paid', 20)");
      }
      await().atMost(WAIT).untilAsserted(() -> assertThat(sse.changes())
          .anySatisfy(event -> assertThat(event.data()).contains("\"customer_id\":7")));
      assertThat(sse.changes()).noneMatch(event -> event.data().contains("\"customer_id\":8"));
      mark("first event received");

      String slot = client.resources(RealtimeTenant.class).inNamespace(tenantNamespace).withName(name).get()
          .getStatus().getSlot().getName();
      client.resources(RealtimeTenant.class).inNamespace(tenantNamespace).withName(name).delete();
      await().atMost(WAIT).untilAsserted(() -> {
        try (Connection connection = database.connect(postgres.getLocalPort());
            Statement statement = connection.createStatement();
            ResultSet slots = statement.executeQuery(
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
          slots.next();
          assertThat(slots.getInt(1)).as("slot " + slot).isZero();
        }
      });
      mark("tenant deleted, slot dropped");
    }
  }

  /**
   * Builds one image (its target in distribution/Dockerfile, from its distribution, for this machine's
   * platform) and saves it as an archive for K3s.
   */
  private static Path saveImage(Distribution distribution, String module) throws IOException {
    String image = distribution.name() + ":" + TAG;
    new ImageFromDockerfile(image, false)
        .withFileFromPath("Dockerfile", RepositoryLayout.root().resolve("distribution/Dockerfile"))
        .withFileFromPath(module + "/target/" + distribution.name(), distribution.home())
        .withTarget(distribution.name())
        .withBuildArg("VERSION", TAG)
        .get();
    Path archive = OUT.resolve(distribution.name() + ".tar").toAbsolutePath();
    try (InputStream saved = DockerClientFactory.instance().client().saveImageCmd(image).exec()) {
      Files.copy(saved, archive, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    return archive;
  }

  /** Every document of examples/*.yaml, as Kubernetes objects. */
  private static List<HasMetadata> examples(KubernetesClient client) throws IOException {
    List<HasMetadata> resources = new ArrayList<>();
    try (Stream<Path> files = Files.list(RepositoryLayout.examples())) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        try (InputStream in = Files.newInputStream(file)) {
          resources.addAll(client.load(in).items());
        }
      }
    }
    return resources;
  }

  private static <T extends HasMetadata> T only(List<HasMetadata> resources, Class<T> type) {
    List<T> matching = resources.stream().filter(type::isInstance).map(type::cast).toList();
    assertThat(matching).as("examples/ holds one " + type.getSimpleName()).hasSize(1);
    return matching.getFirst();
  }

  private static Secret secret(List<HasMetadata> resources, String name) {
    return resources.stream().filter(Secret.class::isInstance).map(Secret.class::cast)
        .filter(secret -> secret.getMetadata().getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("examples/ has no Secret " + name));
  }

  private static String token(String secret, String subject) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().subject(subject)
        .claim("role", "authenticated").expirationTime(Date.from(Instant.now().plusSeconds(3600))).build());
    jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
    return jwt.serialize();
  }

  private void mark(String step) {
    timeline.put(step, Instant.now());
  }

  private void printTimeline() {
    Instant start = timeline.get("start");
    StringBuilder text = new StringBuilder("K3sEndToEndIT timeline:\n");
    timeline.forEach((step, at) -> text.append(String.format("  %7.1f s  %s%n",
        Duration.between(start, at).toMillis() / 1000.0, step)));
    System.out.print(text);
  }

  /** What a reader needs when a wait ran out: every pod, its phase, and the last lines of its logs. */
  private static void printDiagnostics(KubernetesClient client) {
    try {
      for (Pod pod : client.pods().inAnyNamespace().list().getItems()) {
        String namespace = pod.getMetadata().getNamespace();
        System.out.println("== pod " + namespace + "/" + pod.getMetadata().getName() + ": "
            + pod.getStatus().getPhase());
        if (namespace.equals(SLIPSTREAM_NAMESPACE) || namespace.equals(TENANT_NAMESPACE)) {
          System.out.println(client.pods().inNamespace(namespace).withName(pod.getMetadata().getName())
              .tailingLines(80).getLog());
        }
      }
      client.v1().events().inAnyNamespace().list().getItems().stream()
          .filter(event -> !"Normal".equals(event.getType()))
          .forEach(event -> System.out.println("== event " + event.getInvolvedObject().getKind() + " "
              + event.getInvolvedObject().getName() + ": " + event.getReason() + " " + event.getMessage()));
    } catch (RuntimeException e) {
      System.out.println("(no diagnostics: " + e + ")");
    }
  }

  /** The database the example tenant names, as a PostgreSQL Deployment and Service in K3s. */
  private record ExampleDatabase(KubernetesClient client, String namespace, String service, String database,
      String user, String password) {

    static ExampleDatabase deploy(KubernetesClient client, RealtimeTenant tenant, Secret credentials, String image)
        throws IOException {
      var spec = tenant.getSpec().getDatabase();
      // host: <service>.<namespace>.svc
      String[] host = spec.getHost().split("\\.");
      String namespace = host.length > 1 ? host[1] : TENANT_NAMESPACE;
      var keys = spec.getCredentialsSecretRef();
      ExampleDatabase database = new ExampleDatabase(client, namespace, host[0], spec.getName(),
          credentials.getStringData().get(keys.getUsernameKey() != null ? keys.getUsernameKey() : "username"),
          credentials.getStringData().get(keys.getPasswordKey() != null ? keys.getPasswordKey() : "password"));
      database.apply(image);
      client.apps().deployments().inNamespace(namespace).withName(database.service())
          .waitUntilReady(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
      return database;
    }

    private void apply(String image) throws IOException {
      String schema;
      try (InputStream in = K3sEndToEndIT.class.getResourceAsStream("/k3s/schema.sql")) {
        schema = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      String manifests = """
          apiVersion: v1
          kind: ConfigMap
          metadata: {name: %1$s-init}
          data:
            schema.sql: |
          %2$s
          ---
          apiVersion: apps/v1
          kind: Deployment
          metadata: {name: %1$s}
          spec:
            selector: {matchLabels: {app: %1$s}}
            template:
              metadata: {labels: {app: %1$s}}
              spec:
                containers:
                  - name: postgres
                    image: %3$s
                    args: [-c, wal_level=logical, -c, max_replication_slots=10, -c, max_wal_senders=10]
                    env:
                      - {name: POSTGRES_DB, value: %4$s}
                      - {name: POSTGRES_USER, value: %5$s}
                      - {name: POSTGRES_PASSWORD, value: %6$s}
                    ports: [{containerPort: 5432}]
                    readinessProbe:
                      exec: {command: [pg_isready, -U, %5$s, -d, %4$s]}
                      periodSeconds: 2
                    volumeMounts: [{name: init, mountPath: /docker-entrypoint-initdb.d}]
                volumes: [{name: init, configMap: {name: %1$s-init}}]
          ---
          apiVersion: v1
          kind: Service
          metadata: {name: %1$s}
          spec:
            selector: {app: %1$s}
            ports: [{port: 5432}]
          """.formatted(service, schema.lines().map(line -> "      " + line).reduce("", (a, b) -> a + b + "\n"),
          image, database, user, password);
      try (InputStream in = new java.io.ByteArrayInputStream(manifests.getBytes(StandardCharsets.UTF_8))) {
        client.load(in).inNamespace(namespace).serverSideApply();
      }
    }

    LocalPortForward portForward() {
      Pod pod = client.pods().inNamespace(namespace).withLabel("app", service).list().getItems().getFirst();
      return client.pods().inNamespace(namespace).withName(pod.getMetadata().getName()).portForward(5432);
    }

    Connection connect(int localPort) throws java.sql.SQLException {
      return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + localPort + "/" + database, user, password);
    }
  }
}
