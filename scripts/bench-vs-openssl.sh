#!/usr/bin/env bash
# The limit: our RSA-2048 sign and verify throughput as ratios to
# `openssl speed rsa2048` on this machine, for both crypto backends.
#
#   scripts/bench-vs-openssl.sh            # 5 rounds of 3 s per backend
#   WXPAY_OPENSSL_ROUNDS=9 scripts/bench-vs-openssl.sh
#
# Each round times OpenSSL and then us, single-threaded, per second of CPU
# time; the bench prints every round and the medians. Without openssl on the
# PATH it prints our throughput and says the ratio was skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
export WXPAY_OPENSSL_ROUNDS="${WXPAY_OPENSSL_ROUNDS:-5}"
export WXPAY_OPENSSL_SECONDS="${WXPAY_OPENSSL_SECONDS:-3}"

for features in "" "--features rust-crypto"; do
    # shellcheck disable=SC2086 # $features is empty or two words on purpose
    cargo bench -q -p wxpay-core --bench vs_openssl $features
    echo
done
