package dev.slipstream.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.generator.annotation.ValidationRule;
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
 * One tenant database served by Slipstream: where the database is, which replication slot the
 * runtime streams from, how the runtime pods run and scale, and how clients authenticate.
 */
@Group(RealtimeTenant.GROUP)
@Version(RealtimeTenant.VERSION)
@Kind("RealtimeTenant")
@Singular("realtimetenant")
@Plural("realtimetenants")
@ShortNames("rtt")
@Categories("slipstream")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase")
@AdditionalPrinterColumn(name = "Slot Lag", jsonPath = ".status.slot.lagBytes", type = Type.INTEGER,
    getDescription = "Bytes of WAL the slot holds back (pg_current_wal_lsn() - confirmed_flush_lsn)")
@AdditionalPrinterColumn(name = "Clients", jsonPath = ".status.runtime.connectedClients", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.runtime.readyReplicas", type = Type.INTEGER,
    getDescription = "Runtime pods ready to serve clients")
@AdditionalPrinterColumn(name = "Failover", jsonPath = ".status.conditions[?(@.type==\"FailoverReady\")].status",
    priority = 1, getDescription = "FailoverReady: whether a promoted standby would have the slot (only when "
        + "spec.replication.failover is true)")
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
// The runtime's objects are named after the tenant (<name>-runtime-relay is a Service name, a
// DNS-1035 label of at most 63 characters), so the tenant's name must leave room for the suffix.
@ValidationRule(value = "self.metadata.name.size() <= 49 && self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",
    message = "metadata.name of a RealtimeTenant must be a DNS-1035 label (lower case letters, digits and '-', "
        + "starting with a letter) of at most 49 characters: the runtime's objects are named after it")
public class RealtimeTenant extends CustomResource<RealtimeTenantSpec, RealtimeTenantStatus>
    implements Namespaced {

  public static final String GROUP = "realtime.slipstream.dev";
  public static final String VERSION = "v1alpha1";
}
