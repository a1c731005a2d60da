#!/usr/bin/env python3
"""An independent WeChat Pay APIv3 client (Python `cryptography`, no wxpay code)
against a running sandbox: signs a request, verifies the signed answer, and
decrypts the platform certificate from `GET /v3/certificates`.

    cargo run -p wxpay-sandbox -- --listen 127.0.0.1:8080 --out ./sandbox-out &
    python3 wxpay-sandbox/interop/python_client.py ./sandbox-out

Exits non-zero if anything does not match the protocol.
"""
import base64, json, secrets, string, sys, time, urllib.request, urllib.error
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

out = Path(sys.argv[1] if len(sys.argv) > 1 else "sandbox-out")
info = json.loads((out / "sandbox.json").read_text())
base = info["base_url"].rstrip("/")
mchid = (out / "mchid.txt").read_text().strip()
serial = (out / "merchant_serial.txt").read_text().strip()
apiv3 = (out / "apiv3_key.txt").read_text().strip().encode()
key = serialization.load_pem_private_key((out / "apiclient_key.pem").read_bytes(), None)
platform = x509.load_pem_x509_certificate((out / "platform_cert.pem").read_bytes())


def call(method, target, body=b""):
    ts = str(int(time.time()))
    nonce = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    message = f"{method}\n{target}\n{ts}\n{nonce}\n".encode() + body + b"\n"
    sig = base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()
    auth = (f'WECHATPAY2-SHA256-RSA2048 mchid="{mchid}",nonce_str="{nonce}",'
            f'timestamp="{ts}",serial_no="{serial}",signature="{sig}"')
    req = urllib.request.Request(base + target, data=body or None, method=method, headers={
        "Authorization": auth, "Accept": "application/json", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            status, headers, raw = r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        status, headers, raw = e.code, e.headers, e.read()
    signed = f'{headers["Wechatpay-Timestamp"]}\n{headers["Wechatpay-Nonce"]}\n'.encode() + raw + b"\n"
    assert headers["Wechatpay-Serial"] == format(platform.serial_number, "X"), "serial"
    platform.public_key().verify(base64.b64decode(headers["Wechatpay-Signature"]), signed,
                                 padding.PKCS1v15(), hashes.SHA256())  # raises if forged
    assert abs(int(time.time()) - int(headers["Wechatpay-Timestamp"])) <= 300, "timestamp"
    return status, json.loads(raw) if raw else None


status, certs = call("GET", "/v3/certificates")
assert status == 200, (status, certs)
enc = certs["data"][0]["encrypt_certificate"]
pem = AESGCM(apiv3).decrypt(enc["nonce"].encode(), base64.b64decode(enc["ciphertext"]),
                            enc["associated_data"].encode())
assert x509.load_pem_x509_certificate(pem).serial_number == platform.serial_number
print("v3/certificates: signature verified, certificate decrypted, serial matches")

body = json.dumps({"sub_mchid": "1900000109"}, separators=(",", ":")).encode()
status, advance = call("POST", "/v3/ecommerce/refunds/50000000382019052709732678859/return-advance", body)
assert status == 200 and advance["refund_id"] == "50000000382019052709732678859", (status, advance)
print(f"return-advance: {advance['return_amount']} fen, {advance['result']} (signature verified)")

status, err = call("GET", "/v3/ecommerce/profitsharing/returnorders?sub_mchid=1900000109&out_return_no=NOPE")
assert status == 404 and err["code"] == "RESOURCE_NOT_EXISTS", (status, err)
print("unknown return order: signed 404 RESOURCE_NOT_EXISTS")
