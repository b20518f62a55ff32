package dev.slipstream.api.crd;

import dev.slipstream.api.v1alpha1.MapListKey;
import dev.slipstream.api.v1alpha1.RealtimePublication;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Generates the CRD YAML from the API classes with Fabric8's CRD generator.
 *
 * <p>Why not {@code crd-generator-maven-plugin}: it is the same generator, but it sorts printer
 * columns by JSON path (so {@code kubectl get rtt} would print AGE first) and offers no hook to
 * change that. Through the generator's API a post-processor keeps the columns in the order the
 * {@link AdditionalPrinterColumn} annotations declare them, and applies {@link MapListKey}, for
 * which the generator has no annotation.
 */
public final class CrdYamlGenerator {

  /** Every custom resource class of the API. */
  public static final List<Class<? extends HasMetadata>> RESOURCES =
      List.of(RealtimeTenant.class, RealtimePublication.class);

  private static final String API_PACKAGE = RealtimeTenant.class.getPackageName();

  private CrdYamlGenerator() {
  }

  /** Writes one {@code <plural>.<group>-v1.yml} per resource into {@code dir}. */
  public static void generateInto(Path dir) {
    new CRDGenerator()
        .customResourceClasses(RESOURCES)
        .forCRDVersions("v1")
        .withParallelGenerationEnabled(false)
        .withPostProcessor(new SlipstreamConventions())
        .inOutputDir(dir.toFile())
        .generate();
  }

  /** Printer columns in declaration order; {@link MapListKey} lists as map lists. */
  static final class SlipstreamConventions implements CRDPostProcessor {

    @Override
    public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
      CustomResourceDefinition definition = (CustomResourceDefinition) crd;
      Class<? extends HasMetadata> resource = RESOURCES.stream()
          .filter(r -> HasMetadata.getFullResourceName(r).equals(definition.getMetadata().getName()))
          .findFirst()
          .orElseThrow();
      List<String> declared = Arrays.stream(resource.getAnnotationsByType(AdditionalPrinterColumn.class))
          .map(AdditionalPrinterColumn::jsonPath)
          .toList();
      for (CustomResourceDefinitionVersion version : definition.getSpec().getVersions()) {
        version.getAdditionalPrinterColumns()
            .sort(Comparator.comparingInt((CustomResourceColumnDefinition c) -> declared.indexOf(c.getJsonPath())));
        JSONSchemaProps root = version.getSchema().getOpenAPIV3Schema();
        applyMapListKeys(root.getProperties().get("spec"), specClass(resource, 0));
        applyMapListKeys(root.getProperties().get("status"), specClass(resource, 1));
      }
      return crd;
    }

    private static Class<?> specClass(Class<?> resource, int typeArgument) {
      var type = (ParameterizedType) resource.getGenericSuperclass();
      return (Class<?>) type.getActualTypeArguments()[typeArgument];
    }

    /** Walks the schema and the Java class side by side, down through objects and list items. */
    private static void applyMapListKeys(JSONSchemaProps schema, Class<?> type) {
      if (schema == null || schema.getProperties() == null || !type.getPackageName().equals(API_PACKAGE)) {
        return;
      }
      for (Field field : type.getDeclaredFields()) {
        JSONSchemaProps property = schema.getProperties().get(field.getName());
        if (property == null) {
          continue;
        }
        MapListKey key = field.getAnnotation(MapListKey.class);
        if (key != null) {
          property.setXKubernetesListType("map");
          property.setXKubernetesListMapKeys(List.of(key.value()));
        }
        if (List.class.isAssignableFrom(field.getType())
            && field.getGenericType() instanceof ParameterizedType list
            && list.getActualTypeArguments()[0] instanceof Class<?> item) {
          applyMapListKeys(property.getItems() == null ? null : property.getItems().getSchema(), item);
        } else {
          applyMapListKeys(property, field.getType());
        }
      }
    }
  }
}
