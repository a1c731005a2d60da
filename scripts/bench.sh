#!/usr/bin/env bash
# Every benchmark behind the README's Performance table, one after another
# (never two at once: they would measure each other).
#
#   scripts/bench.sh                 # all of it, ~20 min on 2 cores once built
#   RUNS=3 CONCURRENCY="1 8" scripts/bench.sh
#
# 1. micro-benchmarks (criterion), both crypto backends
# 2. RSA-2048 against `openssl speed`, both backends
# 3. loadgen: the client against the in-process sandbox over 127.0.0.1, at
#    each concurrency level, RUNS measured runs each (the summary is the median)
#
# Output goes to the terminal and to target/bench-results/<UTC time>.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS="${RUNS:-5}"
REQUESTS="${REQUESTS:-2000}"
CONCURRENCY="${CONCURRENCY:-1 8 32}"
export WXPAY_OPENSSL_ROUNDS="${WXPAY_OPENSSL_ROUNDS:-5}"

mkdir -p target/bench-results
out="target/bench-results/$(date -u +%Y%m%dT%H%M%SZ).txt"
exec > >(tee "$out") 2>&1

echo "== machine"
uname -srm
grep -m1 "model name" /proc/cpuinfo 2>/dev/null || true
echo "CPUs: $(nproc 2>/dev/null || echo '?')"
rustc -V
openssl version 2>/dev/null || echo "openssl: not installed"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
echo

for features in "" "--features rust-crypto"; do
    echo "== cargo bench -p wxpay-core --bench core $features"
    # shellcheck disable=SC2086
    cargo bench -q -p wxpay-core --bench core $features 2>&1 |
        grep -E '^(wxpay-core benches|[a-z]+/[a-z-]+/[A-Za-z0-9_]+)|^ +(time|thrpt):' |
        grep -v '%' || true
    echo
done

for features in "" "--features rust-crypto"; do
    echo "== cargo bench -p wxpay-core --bench vs_openssl $features"
    # shellcheck disable=SC2086
    cargo bench -q -p wxpay-core --bench vs_openssl $features
    echo
done

for features in "" "--features rust-crypto"; do
    # shellcheck disable=SC2086
    cargo build -q --release -p wxpay-bench --bin loadgen $features
    for c in $CONCURRENCY; do
        echo "== loadgen $features --concurrency $c --requests $REQUESTS --runs $RUNS"
        ./target/release/loadgen --concurrency "$c" --requests "$REQUESTS" --runs "$RUNS" --json
        echo
    done
done

echo "results: $out"
