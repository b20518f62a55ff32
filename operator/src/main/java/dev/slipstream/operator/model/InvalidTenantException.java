package dev.slipstream.operator.model;

/**
 * A tenant (or what the reconciler resolved for it) from which no runtime can be built. The message
 * names the field and is written for the tenant's status condition; the reconciler reports it
 * rather than retrying, since only a change to the tenant can fix it.
 */
public class InvalidTenantException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public InvalidTenantException(String message) {
    super(message);
  }
}
