#!/usr/bin/env bash
# Quickstart: installs the dependencies, builds libdyncreds and its
# command-line tool, starts the local IAM/STS endpoint, and walks the seed
# scenario: an operator configures a mount and a read-only role, an
# application gets short-lived credentials and uses them, and the key dies,
# once revoked by hand and once by expiring under `dyncreds run`.
#
#   bash examples/quickstart.sh                # from a clean clone
#   bash examples/quickstart.sh --cli PATH     # skip installing and building (the test suite does this)
set -euo pipefail
cd "$(dirname "$0")/.."

cli=""
if [ "${1:-}" = "--cli" ]; then cli="$2"; fi
if [ -z "$cli" ]; then
  bash .ci/install-deps
  cmake --preset release >/dev/null
  cmake --build --preset release
  cli=build/release/src/tool/dyncreds
fi

work=$(mktemp -d)
daemon=""
cleanup() {
  [ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
  /usr/bin/python3 tests/local_aws/ctl.py stop --dir "$work/aws" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

step "Start a local IAM/STS endpoint (stands in for AWS)"
/usr/bin/python3 tests/local_aws/ctl.py start --dir "$work/aws" >/dev/null
field() { /usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$work/aws/endpoint.json" "$1"; }
url=$(field endpoint)
iam_url=$(field iam_endpoint)
sts_url=$(field sts_endpoint)
echo "endpoint $url (IAM $iam_url, STS $sts_url)"

# A fresh store for this walk-through, and an AWS CLI that reads no local configuration.
export XDG_STATE_HOME="$work/state"
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=""
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE
aws_as_app() { /usr/bin/aws --endpoint-url "$sts_url" sts get-caller-identity --output text --query Arn; }
# IAM is eventually consistent: a deleted key can work for a few seconds more.
refused_within_30s() {
  for _ in $(seq 60); do
    aws_as_app >/dev/null 2>"$work/refused" || { grep -o "InvalidClientTokenId" "$work/refused" | head -1; return 0; }
    sleep 0.5
  done
  return 1
}

step "1. The operator configures the mount with root keys (in AWS: an IAM user with the README's minimal policy)"
# The endpoint makes vault-root, holding exactly the seeds' least-privilege policy.
root=$(/usr/bin/python3 tests/local_aws/ctl.py seeds-root --dir "$work/aws" vault-root)
key() { /usr/bin/python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$root" "$1"; }
show "$cli" config write root access_key="$(key access_key_id)" secret_key="$(key secret_access_key)" \
  region=us-east-1 iam_endpoint="$iam_url" sts_endpoint="$sts_url"

step "2. ... and writes a read-only role"
show "$cli" role write readonly credential_type=iam_user policy_arns=arn:aws:iam::aws:policy/ReadOnlyAccess
show "$cli" role read readonly

step "3. The application asks for credentials for 10 minutes"
echo "\$ eval \"\$($cli creds readonly -ttl=10m -wait -format=env)\""
eval "$("$cli" creds readonly -ttl=10m -wait -format=env)"
show "$cli" lease lookup "$DYNCREDS_LEASE_ID"

step "4. It uses them"
echo "\$ aws sts get-caller-identity"
aws_as_app

step "5. The lease is revoked, and AWS refuses the key"
show "$cli" lease revoke "$DYNCREDS_LEASE_ID"
refused_within_30s || { echo "FAILED: the revoked key still works"; exit 1; }

step "6. Credentials for 3 seconds, left to expire under 'dyncreds run'"
eval "$("$cli" creds readonly -ttl=3s -wait -format=env)"
aws_as_app
"$cli" run -poll-interval=1s 2>"$work/run.log" &
daemon=$!
for _ in $(seq 60); do
  [ -z "$("$cli" lease list -format=json | tr -d '[]\n ')" ] && break
  sleep 0.5
done
kill "$daemon"; wait "$daemon" || true; daemon=""
cat "$work/run.log"
refused_within_30s || { echo "FAILED: the expired key still works"; exit 1; }

step "Quickstart complete: keys issued, used, revoked and expired on time."
