#!/usr/bin/env python3
"""An independent WeChat Pay APIv3 client (Python `cryptography`, no wxpay code)
against a running sandbox (certificate mode): signs requests, verifies every
signed answer, decrypts the platform certificate from `GET /v3/certificates`,
then drives the payment lifecycle: JSAPI prepay, payment through the control
API, the TRANSACTION.SUCCESS callback received by its own HTTP server
(signature verified, resource decrypted), query, partial refund, the
REFUND.SUCCESS callback; profit sharing (a receiver added with its name
RSA-OAEP-encrypted for the platform key and returned encrypted for the
merchant, a split, PROFITSHARING.SUCCESS and .RETURN callbacks, the amount
left); the e-commerce platform's profit sharing (a person receiver whose
name it seals, a second-level merchant's paid partner order split, queried,
and part of it returned, with the callbacks); a merchant transfer (payee name encrypted, confirmed as its user
through the control API, MCHTRANSFER.BILL.FINISHED, queries by both
numbers); and the day's trade bill downloaded (unsigned) and checked
against its SHA-1.

    cargo run -p wxpay-sandbox -- --listen 127.0.0.1:8080 --out ./sandbox-out &
    python3 wxpay-sandbox/interop/python_client.py ./sandbox-out

Exits non-zero if anything does not match the protocol.
"""
import base64, hashlib, http.server, json, queue, secrets, string, sys, threading, time
import urllib.request, urllib.error
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


def call(method, target, body=b"", signed_answer=True, headers=None):
    ts = str(int(time.time()))
    nonce = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    message = f"{method}\n{target}\n{ts}\n{nonce}\n".encode() + body + b"\n"
    sig = base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()
    auth = (f'WECHATPAY2-SHA256-RSA2048 mchid="{mchid}",nonce_str="{nonce}",'
            f'timestamp="{ts}",serial_no="{serial}",signature="{sig}"')
    req = urllib.request.Request(base + target, data=body or None, method=method, headers={
        "Authorization": auth, "Accept": "application/json", "Content-Type": "application/json",
        **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            status, headers, raw = r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        status, headers, raw = e.code, e.headers, e.read()
    if not signed_answer:  # the bill file: WeChat Pay does not sign it
        assert status != 200 or "Wechatpay-Signature" not in headers, "bill file is unsigned"
        return status, raw
    verify(headers, raw)
    return status, json.loads(raw) if raw else None


def verify(headers, raw):
    signed = f'{headers["Wechatpay-Timestamp"]}\n{headers["Wechatpay-Nonce"]}\n'.encode() + raw + b"\n"
    assert headers["Wechatpay-Serial"] == format(platform.serial_number, "X"), "serial"
    platform.public_key().verify(base64.b64decode(headers["Wechatpay-Signature"]), signed,
                                 padding.PKCS1v15(), hashes.SHA256())  # raises if forged
    assert abs(int(time.time()) - int(headers["Wechatpay-Timestamp"])) <= 300, "timestamp"


def seal(plain):
    """A sensitive field: RSA-OAEP (SHA-1, MGF1-SHA-1) for the platform key, base64."""
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)
    return base64.b64encode(platform.public_key().encrypt(plain.encode(), oaep)).decode()


def unseal(ciphertext):
    """A field WeChat returns encrypted for the merchant: the merchant key opens it."""
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)
    return key.decrypt(base64.b64decode(ciphertext), oaep).decode()


SEALED = {"Wechatpay-Serial": format(platform.serial_number, "X")}

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

status, err = call("GET", "/v3/ecommerce/profitsharing/returnorders?sub_mchid=1900000109&out_order_no=NOPE&out_return_no=NOPE")
assert status == 404 and err["code"] == "RESOURCE_NOT_EXISTS", (status, err)
print("unknown return order: signed 404 RESOURCE_NOT_EXISTS")


# ---- The payment lifecycle -------------------------------------------------

def control(path, body):
    """The sandbox's control API: plain JSON, no signatures."""
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


notifications = queue.Queue()


class Notify(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        raw = self.rfile.read(int(self.headers["Content-Length"]))
        try:
            verify(self.headers, raw)  # raises if forged
            envelope = json.loads(raw)
            res = envelope["resource"]
            assert res["algorithm"] == "AEAD_AES_256_GCM"
            plain = AESGCM(apiv3).decrypt(res["nonce"].encode(), base64.b64decode(res["ciphertext"]),
                                          res["associated_data"].encode())
            notifications.put((envelope, json.loads(plain)))
            self.send_response(204)
            self.end_headers()
        except Exception as e:  # answer FAIL so the sandbox retries, and report it
            notifications.put(("error", repr(e)))
            body = json.dumps({"code": "FAIL", "message": "rejected"}).encode()
            self.send_response(500)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Notify)
threading.Thread(target=server.serve_forever, daemon=True).start()
notify_url = f"http://127.0.0.1:{server.server_address[1]}/notify"


def next_notification(event_type):
    envelope, resource = notifications.get(timeout=20)
    assert envelope != "error", resource
    assert envelope["event_type"] == event_type, envelope
    return resource


out_trade_no = "PY" + str(int(time.time() * 1000))
order = {"appid": "wxd678efh567hg6787", "mchid": mchid, "description": "Python interop",
         "out_trade_no": out_trade_no, "notify_url": notify_url,
         "amount": {"total": 1000, "currency": "CNY"}, "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}}
status, prepay = call("POST", "/v3/pay/transactions/jsapi", json.dumps(order).encode())
assert status == 200 and prepay["prepay_id"].startswith("wx"), (status, prepay)
status, unpaid = call("GET", f"/v3/pay/transactions/out-trade-no/{out_trade_no}?mchid={mchid}")
assert status == 200 and unpaid["trade_state"] == "NOTPAY", unpaid
print(f"JSAPI prepay: {prepay['prepay_id']}, NOTPAY (signatures verified)")

control("/sandbox/orders/pay", {"prepay_id": prepay["prepay_id"]})
paid = next_notification("TRANSACTION.SUCCESS")
assert paid["out_trade_no"] == out_trade_no and paid["trade_state"] == "SUCCESS", paid
status, queried = call("GET", f"/v3/pay/transactions/out-trade-no/{out_trade_no}?mchid={mchid}")
assert status == 200 and queried == paid, (queried, paid)
status, by_id = call("GET", f"/v3/pay/transactions/id/{paid['transaction_id']}?mchid={mchid}")
assert status == 200 and by_id["out_trade_no"] == out_trade_no
print(f"paid: TRANSACTION.SUCCESS verified and decrypted, query agrees ({paid['transaction_id']})")

status, closed = call("POST", f"/v3/pay/transactions/out-trade-no/{out_trade_no}/close",
                      json.dumps({"mchid": mchid}).encode())
assert status == 400 and closed["code"] == "ORDER_PAID", (status, closed)

refund = {"out_trade_no": out_trade_no, "out_refund_no": out_trade_no + "R1", "notify_url": notify_url,
          "amount": {"refund": 400, "total": 1000, "currency": "CNY"}}
status, created = call("POST", "/v3/refund/domestic/refunds", json.dumps(refund).encode())
assert status == 200 and created["status"] == "PROCESSING", (status, created)
refunded = next_notification("REFUND.SUCCESS")
assert refunded["refund_status"] == "SUCCESS" and refunded["amount"]["refund"] == 400, refunded
too_much = dict(refund, out_refund_no=out_trade_no + "R2", amount={"refund": 601, "total": 1000, "currency": "CNY"})
status, err = call("POST", "/v3/refund/domestic/refunds", json.dumps(too_much).encode())
assert status == 400 and err["code"] == "INVALID_REQUEST", (status, err)
print("refund: 400 of 1000 fen, REFUND.SUCCESS verified and decrypted; over-refund refused")


# ---- Profit sharing -------------------------------------------------------

def json_call(method, target, payload, headers=None):
    return call(method, target, json.dumps(payload, ensure_ascii=False).encode(), headers=headers)


# Profit sharing to this merchant is notified where it said (分账动账通知).
control("/sandbox/merchants/profit-sharing-notify-url", {"mchid": mchid, "url": notify_url})
status, err = json_call("POST", "/v3/profitsharing/receivers/add", {
    "appid": "wxd678efh567hg6787", "type": "PERSONAL_OPENID", "account": "oPS" + out_trade_no,
    "name": "张三", "relation_type": "USER"}, headers=SEALED)
assert status == 400 and err["code"] == "PARAM_ERROR" and err["detail"]["field"] == "/name", (status, err)
status, receiver = json_call("POST", "/v3/profitsharing/receivers/add", {
    "appid": "wxd678efh567hg6787", "type": "PERSONAL_OPENID", "account": "oPS" + out_trade_no,
    "name": seal("张三"), "relation_type": "USER"}, headers=SEALED)
assert status == 200 and unseal(receiver["name"]) == "张三", (status, receiver)
print("profit sharing receiver: plaintext name refused, sealed name accepted and returned sealed for us")

shared_trade_no = "PYPS" + str(int(time.time() * 1000))
order = dict(order, out_trade_no=shared_trade_no, settle_info={"profit_sharing": True})
status, prepay = json_call("POST", "/v3/pay/transactions/jsapi", order)
assert status == 200, (status, prepay)
control("/sandbox/orders/pay", {"prepay_id": prepay["prepay_id"]})
shared = next_notification("TRANSACTION.SUCCESS")
split_no = "PYSPLIT" + shared_trade_no[4:]
status, split = json_call("POST", "/v3/profitsharing/orders", {
    "transaction_id": shared["transaction_id"], "out_order_no": split_no, "unfreeze_unsplit": False,
    "receivers": [
        {"type": "PERSONAL_OPENID", "account": "oPS" + out_trade_no, "amount": 300, "description": "分给个人"},
        {"type": "MERCHANT_ID", "account": mchid, "amount": 200, "description": "分给自己"}]})
assert status == 200 and split["state"] == "PROCESSING", (status, split)
credited = next_notification("PROFITSHARING.SUCCESS")
assert credited["out_order_no"] == split_no and credited["receiver"]["amount"] == 200, credited
status, queried = call("GET", f"/v3/profitsharing/orders/{split_no}?transaction_id={shared['transaction_id']}")
assert status == 200 and queried["state"] == "FINISHED", queried
assert [r["result"] for r in queried["receivers"]] == ["SUCCESS", "SUCCESS"], queried
status, left = call("GET", f"/v3/profitsharing/transactions/{shared['transaction_id']}/amounts")
assert status == 200 and left["unsplit_amount"] == 500, left
status, back = json_call("POST", "/v3/profitsharing/return-orders", {
    "out_order_no": split_no, "out_return_no": "PYRET" + shared_trade_no[4:], "return_mchid": mchid,
    "amount": 50, "description": "用户退款"})
assert status == 200 and back["result"] == "SUCCESS", (status, back)
returned = next_notification("PROFITSHARING.RETURN")
assert returned["order_id"] == back["return_id"] and returned["receiver"]["amount"] == 50, returned
status, err = call("GET", f"/v3/profitsharing/orders/NOPE?transaction_id={shared['transaction_id']}")
assert status == 404 and err["code"] == "RESOURCE_NOT_EXISTS", (status, err)
print(f"profit sharing: split {split_no} FINISHED, PROFITSHARING.SUCCESS and .RETURN verified "
      "and decrypted, 500 fen left, unknown split 404")


# ---- The e-commerce platform's profit sharing (电商收付通) --------------------
# This merchant is the platform; its second-level merchant 1900000109 is paid
# through a partner order, and the platform takes its commission by a split.

SUB = "1900000109"
person = "oEC" + shared_trade_no[4:]
status, err = json_call("POST", "/v3/ecommerce/profitsharing/receivers/add", {
    "appid": "wxd678efh567hg6787", "type": "PERSONAL_OPENID", "account": person,
    "encrypted_name": "李四", "relation_type": "DISTRIBUTOR"}, headers=SEALED)
assert status == 400 and err["detail"]["field"] == "/encrypted_name", (status, err)
status, added = json_call("POST", "/v3/ecommerce/profitsharing/receivers/add", {
    "appid": "wxd678efh567hg6787", "type": "PERSONAL_OPENID", "account": person,
    "encrypted_name": seal("李四"), "relation_type": "DISTRIBUTOR"}, headers=SEALED)
assert status == 200 and added == {"type": "PERSONAL_OPENID", "account": person}, (status, added)
status, added = json_call("POST", "/v3/ecommerce/profitsharing/receivers/add", {
    "appid": "wxd678efh567hg6787", "type": "MERCHANT_ID", "account": mchid,
    "name": "示例电商平台有限公司", "relation_type": "PLATFORM"}, headers=SEALED)
assert status == 200 and added["account"] == mchid, (status, added)

ec_trade_no = "PYEC" + shared_trade_no[4:]
status, prepay = json_call("POST", "/v3/pay/partner/transactions/jsapi", {
    "sp_appid": "wxd678efh567hg6787", "sp_mchid": mchid, "sub_mchid": SUB, "description": "电商订单",
    "out_trade_no": ec_trade_no, "notify_url": notify_url, "amount": {"total": 1000, "currency": "CNY"},
    "payer": {"sp_openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}, "settle_info": {"profit_sharing": True}})
assert status == 200, (status, prepay)
control("/sandbox/orders/pay", {"prepay_id": prepay["prepay_id"]})
ec_paid = next_notification("TRANSACTION.SUCCESS")
assert ec_paid["sub_mchid"] == SUB and ec_paid["out_trade_no"] == ec_trade_no, ec_paid
ec_split = "PYECSPLIT" + shared_trade_no[4:]
status, split = json_call("POST", "/v3/ecommerce/profitsharing/orders", {
    "appid": "wxd678efh567hg6787", "sub_mchid": SUB, "transaction_id": ec_paid["transaction_id"],
    "out_order_no": ec_split, "finish": False, "receivers": [
        {"type": "MERCHANT_ID", "receiver_account": mchid, "amount": 300, "description": "平台佣金"},
        {"type": "PERSONAL_OPENID", "receiver_account": person, "receiver_name": seal("李四"),
         "amount": 200, "description": "分销奖励"}]}, headers=SEALED)
assert status == 200 and split["status"] == "PROCESSING", (status, split)
commission = next_notification("PROFITSHARING.SUCCESS")
assert (commission["sp_mchid"], commission["sub_mchid"]) == (mchid, SUB), commission
assert commission["out_order_no"] == ec_split and commission["receiver"]["amount"] == 300, commission
status, queried = call("GET", f"/v3/ecommerce/profitsharing/orders?sub_mchid={SUB}"
                              f"&transaction_id={ec_paid['transaction_id']}&out_order_no={ec_split}")
assert status == 200 and queried["status"] == "FINISHED", queried
assert [(r["receiver_account"], r["result"]) for r in queried["receivers"]] == [
    (mchid, "SUCCESS"), (person, "SUCCESS")], queried

ec_return = "PYECRET" + shared_trade_no[4:]
status, back = json_call("POST", "/v3/ecommerce/profitsharing/returnorders", {
    "sub_mchid": SUB, "order_id": split["order_id"], "out_return_no": ec_return,
    "return_mchid": mchid, "amount": 100, "description": "用户退款"})
assert status == 200 and back["result"] == "SUCCESS" and back["amount"] == 100, (status, back)
returned = next_notification("PROFITSHARING.RETURN")
assert returned["order_id"] == back["return_no"] and returned["receiver"]["amount"] == 100, returned
status, again = call("GET", f"/v3/ecommerce/profitsharing/returnorders?sub_mchid={SUB}"
                            f"&out_order_no={ec_split}&out_return_no={ec_return}")
assert status == 200 and again == back, (again, back)
# 200 of the 300 are left to come back; a person's share never comes back.
for who, amount, says in [(mchid, 201, "剩余可回退的金额不足"), (person, 1, "分账给个人")]:
    status, err = json_call("POST", "/v3/ecommerce/profitsharing/returnorders", {
        "sub_mchid": SUB, "out_order_no": ec_split, "out_return_no": ec_return + "X",
        "return_mchid": who, "amount": amount, "description": "再退"})
    assert status == 400 and err["code"] == "INVALID_REQUEST" and says in err["message"], (who, status, err)
status, err = call("GET", f"/v3/ecommerce/profitsharing/returnorders?sub_mchid={SUB}"
                          f"&out_order_no={ec_split}&out_return_no={ec_return}X")
assert status == 404 and err["code"] == "RESOURCE_NOT_EXISTS", (status, err)
print(f"e-commerce profit sharing: person receiver's name sealed (plaintext refused), split {ec_split} "
      "FINISHED with PROFITSHARING.SUCCESS (sp_mchid + sub_mchid), 100 fen returned (.RETURN verified), "
      "query agrees; over-return and a person's return refused, unknown return 404")


# ---- Merchant transfer --------------------------------------------------------

bill_no = "PYTB" + shared_trade_no[4:]
status, bill = json_call("POST", "/v3/fund-app/mch-transfer/transfer-bills", {
    "appid": "wxd678efh567hg6787", "out_bill_no": bill_no, "transfer_scene_id": "1000",
    "openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "user_name": seal("张三"), "transfer_amount": 200000,
    "transfer_remark": "新会员奖励", "notify_url": notify_url,
    "transfer_scene_report_infos": [{"info_type": "活动名称", "info_content": "新会员有礼"}]},
    headers=SEALED)
assert status == 200 and bill["state"] == "WAIT_USER_CONFIRM" and bill["package_info"], (status, bill)
# The user confirms in WeChat (here: the control API) with the package.
control("/sandbox/transfers/confirm", {"package_info": bill["package_info"]})
finished = next_notification("MCHTRANSFER.BILL.FINISHED")
assert finished["out_bill_no"] == bill_no and finished["state"] == "SUCCESS", finished
status, by_out = call("GET", f"/v3/fund-app/mch-transfer/transfer-bills/out-bill-no/{bill_no}")
assert status == 200 and by_out["state"] == "SUCCESS" and by_out["transfer_amount"] == 200000, by_out
status, by_no = call("GET", f"/v3/fund-app/mch-transfer/transfer-bills/transfer-bill-no/{bill['transfer_bill_no']}")
assert status == 200 and by_no["out_bill_no"] == bill_no, by_no
print(f"transfer {bill_no}: WAIT_USER_CONFIRM, confirmed, MCHTRANSFER.BILL.FINISHED SUCCESS verified "
      "and decrypted, queries by both numbers agree")

bill_date = paid["success_time"][:10]
# WeChat Pay has a day's bill from 10:00 China time the next morning: move
# the sandbox's business clock there instead of waiting a night.
control("/sandbox/clock", {"to_bill_time": True})
status, bill = call("GET", f"/v3/bill/tradebill?bill_date={bill_date}")
assert status == 200 and bill["hash_type"] == "SHA1", (status, bill)
assert bill["download_url"].startswith(base + "/v3/billdownload/file?token="), bill
target = bill["download_url"][len(base):]
status, raw = call("GET", target, signed_answer=False)
assert status == 200, status
assert hashlib.sha1(raw).hexdigest() == bill["hash_value"], "bill SHA-1"
lines = raw.decode("utf-8-sig").split("\r\n")
assert lines[0].startswith("交易时间,公众账号ID,商户号"), lines[0]
rows = [l for l in lines[1:] if l.startswith("`") and out_trade_no in l]
assert len(rows) == 2 and all(len(r.split(",")) == 27 for r in rows), rows
print(f"trade bill {bill_date}: {len(raw)} bytes, SHA-1 matches, payment and refund rows present")
server.shutdown()
