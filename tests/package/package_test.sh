#!/usr/bin/env bash
# Installs the build tree into a temporary prefix, then builds a consumer
# against it with find_package() (shared and static) and with pkg-config.
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
for fn in $declared; do
  echo "$exported" | grep -qx "$fn" || { echo "C ABI function $fn is not exported"; exit 1; }
done

echo "== find_package(dyncreds CONFIG)"
cmake -S "$source_dir/tests/package/consumer" -B "$prefix/consumer" \
      -DCMAKE_PREFIX_PATH="$prefix/usr" >/dev/null
cmake --build "$prefix/consumer" >/dev/null
LD_LIBRARY_PATH="$libdir" "$prefix/consumer/consumer"
"$prefix/consumer/consumer_static"

echo "== pkg-config dyncreds"
export PKG_CONFIG_PATH="$libdir/pkgconfig"
c++ -std=c++17 "$source_dir/tests/package/consumer/main.cc" -o "$prefix/pc_consumer" \
    $(pkg-config --cflags --libs dyncreds) -Wl,-rpath,"$libdir"
"$prefix/pc_consumer"
pkg-config --modversion dyncreds
echo "package test passed"
