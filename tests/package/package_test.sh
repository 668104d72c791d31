#!/usr/bin/env bash
# Installs the build tree into a temporary prefix, then builds a consumer
# against it with find_package() (shared and static) and with pkg-config.
# Then runs the installed dyncreds, and the AWS CLI with it as its
# credential_process, against the local endpoint (DYNCREDS_LOCAL_AWS), with
# no LD_LIBRARY_PATH.
# Usage: package_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build_dir=$1
source_dir=$2
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT

cmake --install "$build_dir" --prefix "$prefix/usr" >/dev/null

libdir=$(dirname "$(find "$prefix" -name 'libdyncreds.so.0' | head -n 1)")
test -n "$libdir" || { echo "libdyncreds.so.0 was not installed"; exit 1; }
test -f "$libdir/libdyncreds.a" || { echo "libdyncreds.a was not installed"; exit 1; }
test -f "$prefix/usr/include/dyncreds/version.h" || { echo "headers were not installed"; exit 1; }
soname=$(readelf -d "$libdir/libdyncreds.so.0" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ "$soname" = "libdyncreds.so.0" ] || { echo "unexpected SONAME '$soname'"; exit 1; }
# Only libdyncreds' own symbols are exported.
leaked=$(nm -D --defined-only -C "$libdir/libdyncreds.so.0" | awk '{$1="";$2="";print}' |
         grep -v -E '^ +(dyncreds::|typeinfo (name )?for dyncreds::|vtable for dyncreds::|dyncreds_)' || true)
[ -z "$leaked" ] || { echo "symbols exported beyond the API:"; echo "$leaked" | head; exit 1; }
# ... and every function of the C ABI is.
test -f "$prefix/usr/include/dyncreds.h" || { echo "dyncreds.h was not installed"; exit 1; }
exported=$(nm -D --defined-only "$libdir/libdyncreds.so.0" | awk '{print $3}')
declared=$(grep -o -E '\bdyncreds_[a-z0-9_]+\(' "$prefix/usr/include/dyncreds.h" | tr -d '(' | sort -u)
[ -n "$declared" ] || { echo "no functions found in dyncreds.h"; exit 1; }
# (grep reads a here-string: `echo | grep -q` under pipefail can die of SIGPIPE.)
for fn in $declared; do
  grep -qx "$fn" <<<"$exported" || { echo "C ABI function $fn is not exported"; exit 1; }
done
# ... and so is every C++ function the static library defines for the public
# API (dyncreds::Name...; internal namespaces are lower case), so a program
# that links the shared library finds what the headers declare.
public=$(nm -C --defined-only -g "$libdir/libdyncreds.a" 2>/dev/null | awk '$2 == "T"' | cut -d' ' -f3- |
         grep -E '^dyncreds::[A-Z]' | grep -v -E '::Impl::|\{lambda' | sort -u)
shared=$(nm -D -C --defined-only "$libdir/libdyncreds.so.0" | cut -d' ' -f3- | sort -u)
missing=$(comm -23 <(echo "$public") <(echo "$shared"))
[ -n "$public" ] || { echo "no public C++ functions found in libdyncreds.a"; exit 1; }
[ -z "$missing" ] || { echo "declared in the public headers but not exported:"; echo "$missing"; exit 1; }

echo "== the installed dyncreds runs from its prefix, with no LD_LIBRARY_PATH"
env -u LD_LIBRARY_PATH "$prefix/usr/bin/dyncreds" -help >/dev/null
[ -n "${DYNCREDS_LOCAL_AWS:-}" ] || { echo "DYNCREDS_LOCAL_AWS is not set: run through ctest"; exit 1; }
{
  # The README's credential_process profile, with the installed tool: the
  # real AWS CLI gets credentials from it and uses them.
  ep() { /usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$DYNCREDS_LOCAL_AWS" "$1"; }
  iam_url=$(ep iam_endpoint)
  sts_url=$(ep sts_endpoint)
  root=$(/usr/bin/python3 "$source_dir/tests/local_aws/ctl.py" seeds-root --dir "$(dirname "$DYNCREDS_LOCAL_AWS")")
  key() { /usr/bin/python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$root" "$1"; }
  export XDG_STATE_HOME="$prefix/state"
  env -u LD_LIBRARY_PATH "$prefix/usr/bin/dyncreds" config write root access_key="$(key access_key_id)" \
      secret_key="$(key secret_access_key)" iam_endpoint="$iam_url" sts_endpoint="$sts_url" >/dev/null
  env -u LD_LIBRARY_PATH "$prefix/usr/bin/dyncreds" role write ro credential_type=iam_user >/dev/null
  printf '[profile dyncreds]\nregion = us-east-1\ncredential_process = %s creds ro -wait -format=credential-process\n' \
      "$prefix/usr/bin/dyncreds" >"$prefix/aws-config"
  arn=$(env -u LD_LIBRARY_PATH AWS_CONFIG_FILE="$prefix/aws-config" AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER="" \
        /usr/bin/aws sts get-caller-identity --profile dyncreds --endpoint-url "$sts_url" --output text --query Arn)
  case "$arn" in *:user/vault-*) echo "credential_process gave $arn" ;; *) echo "unexpected ARN '$arn'"; exit 1 ;; esac
  env -u LD_LIBRARY_PATH "$prefix/usr/bin/dyncreds" lease revoke -prefix aws/creds/ro >/dev/null
}

echo "== find_package(dyncreds CONFIG)"
cmake -S "$source_dir/tests/package/consumer" -B "$prefix/consumer" \
      -DCMAKE_PREFIX_PATH="$prefix/usr" >/dev/null
cmake --build "$prefix/consumer" >/dev/null
LD_LIBRARY_PATH="$libdir" "$prefix/consumer/consumer"
"$prefix/consumer/consumer_static"
LD_LIBRARY_PATH="$libdir" "$prefix/consumer/engine_only"

echo "== pkg-config dyncreds"
export PKG_CONFIG_PATH="$libdir/pkgconfig"
c++ -std=c++17 "$source_dir/tests/package/consumer/main.cc" -o "$prefix/pc_consumer" \
    $(pkg-config --cflags --libs dyncreds) -Wl,-rpath,"$libdir"
"$prefix/pc_consumer"
pkg-config --modversion dyncreds

echo "== pip install of the Python binding into a clean virtual environment"
# Offline, so the venv sees Debian's setuptools and wheel, and pip builds
# without fetching them; a copy of the package, so nothing is written into
# the source tree.
cp -r "$source_dir/capi/python" "$prefix/python-src"
/usr/bin/python3 -m venv --system-site-packages "$prefix/venv"
"$prefix/venv/bin/pip" install --quiet --no-index --no-build-isolation "$prefix/python-src"
rm -rf "$prefix/python-src"
(
  cd "$prefix"  # away from any source copy: the installed package is imported
  DYNCREDS_LIBRARY="$libdir/libdyncreds.so.0" "$prefix/venv/bin/python" - <<'PY'
import dyncreds, os
assert "/venv/" in dyncreds.__file__, dyncreds.__file__  # the installed copy
headers = dyncreds.sign_request(method="GET", url="https://example.amazonaws.com/", region="us-east-1",
                                service="service", access_key="AKIDEXAMPLE",
                                secret_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", time=1440938160)
assert "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31" in str(headers), headers  # get-vanilla
print("python package", dyncreds.version(), "from", os.path.dirname(dyncreds.__file__))
PY
  # Without the library, import works and the first call names DYNCREDS_LIBRARY.
  DYNCREDS_LIBRARY="$prefix/missing/libdyncreds.so" "$prefix/venv/bin/python" - <<'PY'
import dyncreds
try:
    dyncreds.version()
except dyncreds.LibraryNotFound as e:
    assert "DYNCREDS_LIBRARY" in str(e), e
    print("without the library:", e)
else:
    raise SystemExit("no LibraryNotFound")
PY
)

echo "== a Go program outside the tree, built with only PKG_CONFIG_PATH set"
if command -v go >/dev/null; then
  mkdir -p "$prefix/gouser"
  cat >"$prefix/gouser/go.mod" <<GOMOD
module example.com/gouser

go 1.19

require github.com/libdyncreds/libdyncreds/capi/go v0.0.0

replace github.com/libdyncreds/libdyncreds/capi/go => $source_dir/capi/go
GOMOD
  cat >"$prefix/gouser/main.go" <<'GO'
package main

import (
	"fmt"
	"os"

	dyncreds "github.com/libdyncreds/libdyncreds/capi/go"
)

func main() {
	engine, err := dyncreds.Open(dyncreds.Options{ManualTick: true})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	defer engine.Close()
	if err := engine.WriteRole("ro", map[string]any{"credential_type": "iam_user"}); err != nil {
		fmt.Println("role:", err)
		os.Exit(1)
	}
	fmt.Println("go module with libdyncreds", dyncreds.Version())
}
GO
  (cd "$prefix/gouser" && env -u CGO_CFLAGS -u CGO_LDFLAGS PKG_CONFIG_PATH="$libdir/pkgconfig" GOFLAGS=-mod=mod \
     GOPROXY=off GOTOOLCHAIN=local GOCACHE="$prefix/gocache" GOPATH="$prefix/gopath" go build -o gouser . )
  LD_LIBRARY_PATH="$libdir" "$prefix/gouser/gouser"
else
  echo "go not found: install golang-go"; exit 1
fi
echo "package test passed"
