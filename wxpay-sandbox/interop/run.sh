#!/usr/bin/env bash
# Builds the sandbox, starts it on a free loopback port, runs the Python
# interop client against it (certificate mode), checks that the command line
# reads the delivery log of the running sandbox, and stops it. The startup
# text lists each merchant with its sub-merchants.
# Needs python3 with `cryptography`.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="$(mktemp -d)"
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$out"' EXIT
cargo build -q -p wxpay-sandbox --bin wxpay-sandbox
sandbox="${CARGO_TARGET_DIR:-target}/debug/wxpay-sandbox"
"$sandbox" --listen 127.0.0.1:0 --out "$out" --run-for 120 >"$out/log" 2>&1 &
pid=$!
for _ in $(seq 100); do
    grep -q listening "$out/log" 2>/dev/null && break
    sleep 0.1
done
grep -q "sub-merchant 1900000109" "$out/log"
echo "startup text: the demo merchant's sub-merchant is listed"
python3 wxpay-sandbox/interop/python_client.py "$out"
# The command line steers the running sandbox through its control API.
# (grep reads to the end: with -q it would stop at the first match, and the
# sandbox, still printing, would fail on the closed pipe.)
"$sandbox" notifications --out "$out" | grep '"event_type": "REFUND.SUCCESS"' >/dev/null
echo "command line: the delivery log lists the refund notification"
"$sandbox" transfers --out "$out" | grep '"state": "SUCCESS"' >/dev/null
echo "command line: the transfers list the confirmed transfer"
