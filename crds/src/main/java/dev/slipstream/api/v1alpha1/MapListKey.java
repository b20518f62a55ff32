package dev.slipstream.api.v1alpha1;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a list as a map list ({@code x-kubernetes-list-type: map}) keyed by the named field, so
 * server-side apply merges its entries by key instead of replacing the whole list. That is what
 * lets each runtime pod own its own {@code status.runtime.pods[]} entry while the operator owns
 * the rest of the status. The key field must be required. The CRD generator has no annotation for
 * this; Slipstream's CRD generation step applies it.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface MapListKey {

  /** The field of each entry that identifies it. */
  String value();
}
