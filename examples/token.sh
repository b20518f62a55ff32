#!/usr/bin/env bash
# Prints an HS256 JWT for a client of the example tenant, valid for an hour:
#   JWT_SECRET=$(kubectl -n acme get secret acme-jwt -o jsonpath='{.data.secret}' | base64 -d) examples/token.sh 42
# The argument is the "sub" claim (the acme-orders publication shows a client the orders whose
# customer_id equals it); the role is "authenticated". Needs openssl. For trying things out: a real
# application gets its users' tokens from its identity provider, signed with the same secret.
set -euo pipefail
if [[ $# -ne 1 || -z "${JWT_SECRET:-}" ]]; then
  echo "usage: JWT_SECRET=<the tenant's JWT secret> $0 <sub>" >&2
  exit 2
fi
base64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
sub=$(printf '%s' "$1" | sed 's/[\\"]/\\&/g')
header=$(printf '{"alg":"HS256","typ":"JWT"}' | base64url)
payload=$(printf '{"sub":"%s","role":"authenticated","exp":%d}' "$sub" $(( $(date +%s) + 3600 )) | base64url)
signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -hmac "$JWT_SECRET" -binary | base64url)
printf '%s.%s.%s\n' "$header" "$payload" "$signature"
