#!/usr/bin/python3
"""dyncreds_sigv4_sign against botocore's SigV4Auth on generated requests.

    sigv4_botocore_diff.py LIBDYNCREDS [--count N] [--seed S]

Generates N requests (fixed seed: the same ones every run) mixing what
signers get wrong: dot and empty path segments, percent-encoded and
non-ASCII path segments, repeated and empty query keys and values, header
names in any case with runs of spaces and tabs in their values, repeated
headers, bodies, precomputed payload hashes and UNSIGNED-PAYLOAD, session
tokens, and dates from 1970 to 2261. Each is signed by the C ABI (through
ctypes, not our Python binding) and by botocore, and the Authorization
headers are compared.

Every disagreement is put in a class by what the request contains. One
class is kept on purpose (README "Signing"): hop-by-hop headers, which we do
not sign and botocore does. For those requests botocore is asked again with
them left out, so a second, unintended difference would still show. The
test fails on any other disagreement, and prints each class with an example.

S3 is left out: botocore signs it with S3SigV4Auth (no path normalization),
which the C ABI does not implement.
"""

import argparse
import collections
import ctypes
import datetime
import hashlib
import json
import random
import sys
import urllib.parse

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

HOP_BY_HOP_CLASS = "hop-by-hop header (not signed, on purpose)"
HOP_BY_HOP = ("Connection", "Keep-Alive", "TE", "Transfer-Encoding", "Upgrade", "Proxy-Authorization")
SERVICES = ("iam", "sts", "ec2", "execute-api", "dynamodb", "lambda")
REGIONS = ("us-east-1", "eu-west-3", "ap-southeast-2", "us-gov-west-1")
SEGMENT_CHARS = "abcXYZ019-_.~ !$&'()*+,;=:@%/é漢"
QUERY_CHARS = "abcXYZ019-_.~ !*'()+,/?:@=&é"


def encode(text):
    return urllib.parse.quote(text, safe="-_.~")


def random_path(rng):
    segments = []
    for _ in range(rng.randint(0, 6)):
        kind = rng.random()
        if kind < 0.15:
            segments.append(".")
        elif kind < 0.3:
            segments.append("..")
        elif kind < 0.4:
            segments.append("")
        else:
            segments.append(encode("".join(rng.choice(SEGMENT_CHARS) for _ in range(rng.randint(1, 8)))))
    path = "/" + "/".join(segments)
    if rng.random() < 0.2:
        path += "/"
    return path


def random_query(rng):
    if rng.random() < 0.3:
        return ""
    keys = [encode("".join(rng.choice(QUERY_CHARS) for _ in range(rng.randint(0, 5)))) for _ in range(3)]
    pairs = []
    for _ in range(rng.randint(1, 6)):
        key = rng.choice(keys)  # repeats happen
        value = "" if rng.random() < 0.25 else encode("".join(rng.choice(QUERY_CHARS) for _ in range(rng.randint(1, 6))))
        pairs.append(f"{key}={value}" if value or rng.random() < 0.5 else f"{key}=")
    return "&".join(pairs)


def random_value(rng):
    words = ["".join(rng.choice("abc123;=/,") for _ in range(rng.randint(1, 5))) for _ in range(rng.randint(1, 4))]
    value = ""
    for word in words:
        value += rng.choice([" ", "  ", "\t", " \t "]) + word
    return value + rng.choice(["", " ", "\t", "  "])


def random_request(rng):
    service = rng.choice(SERVICES)
    region = rng.choice(REGIONS)
    host = f"{service}.{region}.amazonaws.com" if rng.random() < 0.8 else f"{service}.example.com:{rng.choice([443, 8443])}"
    scheme = "https"
    path = random_path(rng)
    query = random_query(rng)
    url = f"{scheme}://{host}{path}" + (f"?{query}" if query else "")
    headers = {}
    for _ in range(rng.randint(0, 4)):
        name = "".join(rng.choice("abcdefXYZ-") for _ in range(rng.randint(1, 8))).strip("-") or "x"
        name = "X-" + name if rng.random() < 0.5 else name
        if name.lower() in ("host", "authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256",
                            "expect", "user-agent", "x-amzn-trace-id"):
            continue
        if any(h.lower() == name.lower() for h in headers):
            continue
        headers[name] = random_value(rng)
    hop = rng.random() < 0.1
    if hop:
        headers[rng.choice(HOP_BY_HOP)] = "keep-alive"
    request = {"method": rng.choice(["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"]), "url": url,
               "region": region, "service": service, "access_key": "AKID" + "".join(rng.choice("ABCDEF0123") for _ in range(12)),
               "secret_key": "".join(rng.choice("abcdefABCDEF0123456789/+") for _ in range(40)),
               "time": rng.randint(0, int(datetime.datetime(2261, 12, 31).timestamp()))}
    if headers:
        request["headers"] = headers
    mode = rng.choice(["body", "empty", "hash", "unsigned"])
    if mode == "body":
        request["body"] = "".join(rng.choice("ab c=&\n{}\"é") for _ in range(rng.randint(1, 64)))
    elif mode == "hash":
        request["payload_hash"] = hashlib.sha256(str(rng.random()).encode()).hexdigest()
    elif mode == "unsigned":
        request["payload_hash"] = "UNSIGNED-PAYLOAD"
    if rng.random() < 0.4:
        request["session_token"] = "".join(rng.choice("abcXYZ0189+/=") for _ in range(rng.randint(20, 200)))
    features = {
        "dot segments": any(s in (".", "..") for s in path.split("/")),
        "empty segments": "//" in path,
        "trailing slash": path.endswith("/") and path != "/",
        "encoded path": "%" in path,
        "empty query values": any(p.endswith("=") for p in query.split("&") if query),
        "repeated query keys": len({p.split("=")[0] for p in query.split("&")}) < len(query.split("&")) if query else False,
        "header whitespace": any("\t" in v or "  " in v or v != v.strip() for v in headers.values()),
        "payload: " + mode: True,
        "session token": "session_token" in request,
        "port in host": ":" in host,
        HOP_BY_HOP_CLASS: hop,
    }
    return request, {k for k, v in features.items() if v}


class Native:
    def __init__(self, path):
        lib = ctypes.CDLL(path)
        lib.dyncreds_sigv4_sign.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_char_p,
                                            ctypes.POINTER(ctypes.c_void_p)]
        lib.dyncreds_sigv4_sign.restype = ctypes.c_int
        lib.dyncreds_free.argtypes = [ctypes.c_void_p]
        lib.dyncreds_error_message.argtypes = [ctypes.c_void_p]
        lib.dyncreds_error_message.restype = ctypes.c_char_p
        lib.dyncreds_error_free.argtypes = [ctypes.c_void_p]
        self.lib = lib

    def sign(self, request):
        out, err = ctypes.c_void_p(), ctypes.c_void_p()
        status = self.lib.dyncreds_sigv4_sign(ctypes.byref(out), json.dumps(request).encode(), ctypes.byref(err))
        if status != 0:
            message = self.lib.dyncreds_error_message(err).decode()
            self.lib.dyncreds_error_free(err)
            raise ValueError(message)
        text = ctypes.cast(out, ctypes.c_char_p).value.decode()
        self.lib.dyncreds_free(out)
        return json.loads(text)["headers"]


def botocore_authorization(request, leave_out=()):
    credentials = Credentials(request["access_key"], request["secret_key"], request.get("session_token"))
    headers = {k: v for k, v in request.get("headers", {}).items() if k not in leave_out}
    payload_hash = request.get("payload_hash")
    if payload_hash and payload_hash != "UNSIGNED-PAYLOAD":
        headers["x-amz-content-sha256"] = payload_hash  # botocore takes a given hash from this header
    aws = AWSRequest(method=request["method"], url=request["url"], data=request.get("body", "").encode(),
                     headers=headers)
    when = datetime.datetime.fromtimestamp(request["time"], datetime.timezone.utc)
    aws.context["timestamp"] = when.strftime("%Y%m%dT%H%M%SZ")
    if payload_hash == "UNSIGNED-PAYLOAD":
        aws.context["payload_signing_enabled"] = False
    auth = SigV4Auth(credentials, request["service"], request["region"])
    auth._modify_request_before_signing(aws)
    canonical = auth.canonical_request(aws)
    signature = auth.signature(auth.string_to_sign(aws, canonical), aws)
    scope = f"{request['access_key']}/{when:%Y%m%d}/{request['region']}/{request['service']}/aws4_request"
    signed = auth.signed_headers(auth.headers_to_sign(aws))
    return f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders={signed}, Signature={signature}", canonical


def ours_for_comparison(request):
    """Our request as the C ABI takes it: a given payload hash also travels as its header."""
    ours = json.loads(json.dumps(request))
    if ours.get("payload_hash") not in (None, "UNSIGNED-PAYLOAD"):
        ours.setdefault("headers", {})["x-amz-content-sha256"] = ours["payload_hash"]
    return ours


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("library")
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=20261203)
    args = parser.parse_args(argv)
    native = Native(args.library)
    rng = random.Random(args.seed)
    kept = 0
    unexpected = collections.Counter()  # disagreements by what the requests contained
    example = None
    for _ in range(args.count):
        request, features = random_request(rng)
        ours = native.sign(ours_for_comparison(request))["Authorization"]
        theirs, canonical = botocore_authorization(request)
        if ours == theirs:
            continue
        if HOP_BY_HOP_CLASS in features and ours == botocore_authorization(request, leave_out=HOP_BY_HOP)[0]:
            kept += 1
            continue
        unexpected.update(features)
        example = example or (request, canonical)
    print(f"{args.count} requests (seed {args.seed}) signed by dyncreds_sigv4_sign and by botocore:")
    print(f"  {kept} disagree only in the class kept on purpose: {HOP_BY_HOP_CLASS}")
    if not unexpected:
        print("  no other disagreement")
        return 0
    print("  UNEXPECTED disagreements, counted by what the requests contained:")
    for feature, n in unexpected.most_common():
        print(f"    {feature}: {n}")
    request, canonical = example
    print("  first example:", json.dumps(request, ensure_ascii=False))
    print("  botocore's canonical request:\n" + canonical)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
