package dev.slipstream.operator.model;

import dev.slipstream.api.v1alpha1.Patterns;
import dev.slipstream.api.v1alpha1.RealtimePublication;

/**
 * Names of PostgreSQL publications: lower-case identifiers ({@value Patterns#LOWER_CASE_IDENTIFIER}),
 * at most 63 bytes, so the name needs no quoting in {@code psql}. See {@link DerivedIdentifiers} for why
 * two publication resources never derive the same name.
 */
public final class PublicationNames {

  private PublicationNames() {
  }

  /**
   * The publication name for a resource without {@code spec.publicationName}: {@code <tenant>_<resource>}
   * with dashes as underscores, for example {@code acme_acme_orders} for tenant {@code acme} and resource
   * {@code acme-orders}; followed by {@code __} and a hash when the names contain dots or double
   * dashes, the tenant name a dash, or the result would be too long.
   */
  public static String derive(String tenantName, String resourceName) {
    DerivedIdentifiers.requireText(tenantName, "tenant name");
    DerivedIdentifiers.requireText(resourceName, "publication resource name");
    String readable = tenantName + "_" + resourceName.replace('-', '_');
    // The tenant part carries no dash, so the first underscore ends it; it must start with a letter
    // because an identifier cannot start with a digit.
    boolean lossless = DerivedIdentifiers.READABLE_HEAD.matcher(tenantName).matches()
        && Character.isLetter(tenantName.charAt(0))
        && DerivedIdentifiers.READABLE_PART.matcher(resourceName).matches();
    String name = DerivedIdentifiers.readableOrHashed(readable, lossless, tenantName, resourceName);
    // Only a hashed name can start with a digit (from a tenant such as "1st"); an underscore keeps
    // it an identifier, and the hash keeps it unique. Dropping the last character keeps 63 bytes.
    if (!Character.isLetter(name.charAt(0)) && name.charAt(0) != '_') {
      name = "_" + (name.length() < DerivedIdentifiers.MAX_BYTES ? name : dropBeforeHash(name));
    }
    return name;
  }

  /** The publication a resource manages: {@code spec.publicationName} when set, otherwise derived. */
  public static String forPublication(RealtimePublication publication) {
    String given = publication.getSpec() == null ? null : publication.getSpec().getPublicationName();
    if (given != null && !given.isBlank()) {
      return given;
    }
    return derive(publication.getSpec().getTenantRef().getName(), publication.getMetadata().getName());
  }

  /** Whether {@code name} is a publication name the API accepts. */
  public static boolean isValid(String name) {
    return name != null && name.length() <= DerivedIdentifiers.MAX_BYTES && name.matches(Patterns.LOWER_CASE_IDENTIFIER);
  }

  private static String dropBeforeHash(String hashed) {
    int suffix = DerivedIdentifiers.HASH_SEPARATOR.length() + DerivedIdentifiers.HASH_HEX_DIGITS;
    int cut = hashed.length() - suffix;
    return hashed.substring(0, cut - 1) + hashed.substring(cut);
  }
}
