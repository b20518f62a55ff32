package dev.slipstream.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A PostgreSQL publication in a tenant's database: which tables (and columns and rows) of it
 * the tenant's runtime streams to clients, and which rows each client may see.
 */
@Group(RealtimeTenant.GROUP)
@Version(RealtimeTenant.VERSION)
@Kind("RealtimePublication")
@Singular("realtimepublication")
@Plural("realtimepublications")
@ShortNames("rtpub")
@Categories("slipstream")
@AdditionalPrinterColumn(name = "Tenant", jsonPath = ".spec.tenantRef.name")
@AdditionalPrinterColumn(name = "Publication", jsonPath = ".status.publicationName")
@AdditionalPrinterColumn(name = "Tables", jsonPath = ".status.tableCount", type = Type.INTEGER,
    getDescription = "Tables the publication currently contains (schemas expanded)")
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
public class RealtimePublication
    extends CustomResource<RealtimePublicationSpec, RealtimePublicationStatus>
    implements Namespaced {
}
