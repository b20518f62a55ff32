package dev.slipstream.e2e;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import dev.slipstream.testing.RepositoryLayout;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The chart as {@code helm template} renders it (embedded Helm, helm-java), split into its objects.
 *
 * @param yaml the rendered manifests, as {@code kubectl apply -f} would take them
 */
record RenderedChart(String yaml, List<GenericKubernetesResource> objects) {

  static final Path CHART = RepositoryLayout.root().resolve("charts/slipstream");
  static final String RELEASE = "slipstream";
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  /** Renders release {@link #RELEASE} into {@code namespace} with the values files of {@code ci/} named, then {@code options}. */
  static RenderedChart render(String namespace, List<String> valuesFiles, UnaryOperator<TemplateCommand> options) {
    TemplateCommand command = new Helm(CHART).template().withName(RELEASE).withNamespace(namespace);
    for (String file : valuesFiles) {
      command = command.withValuesFile(CHART.resolve("ci").resolve(file));
    }
    return of(options.apply(command).call());
  }

  static RenderedChart of(String yaml) {
    List<GenericKubernetesResource> objects = Arrays.stream(yaml.split("(?m)^---\\s*$"))
        .filter(document -> document.lines().anyMatch(line -> line.startsWith("kind:")))
        .map(document -> SERIALIZATION.unmarshal(document, GenericKubernetesResource.class))
        .toList();
    return new RenderedChart(yaml, objects);
  }

  List<GenericKubernetesResource> ofKind(String kind) {
    return objects.stream().filter(o -> kind.equals(o.getKind())).toList();
  }

  /** The one object of this kind and name (in any namespace), as its typed class. */
  <T extends HasMetadata> T get(Class<T> type, String kind, String name) {
    List<GenericKubernetesResource> found = ofKind(kind).stream().filter(o -> name.equals(o.getMetadata().getName()))
        .toList();
    if (found.size() != 1) {
      throw new AssertionError("expected one " + kind + " " + name + ", found " + found.size() + " in\n" + yaml);
    }
    return convert(found.getFirst(), type);
  }

  /** Every object of this kind, as its typed class. */
  <T extends HasMetadata> List<T> all(Class<T> type, String kind) {
    return ofKind(kind).stream().map(o -> convert(o, type)).toList();
  }

  /** The field at {@code path} under a generic object's {@code spec}: map keys, and list indexes as numbers. */
  @SuppressWarnings("unchecked")
  static <T> T spec(GenericKubernetesResource object, Object... path) {
    Object current = object.getAdditionalProperties().get("spec");
    for (Object step : path) {
      current = step instanceof Integer index ? ((List<Object>) current).get(index)
          : ((Map<String, Object>) current).get((String) step);
    }
    return (T) current;
  }

  private static <T extends HasMetadata> T convert(GenericKubernetesResource object, Class<T> type) {
    return SERIALIZATION.unmarshal(SERIALIZATION.asYaml(object), type);
  }
}
