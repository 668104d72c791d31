#!/usr/bin/python3
"""Runs examples/cpp/sign_request and checks what it prints: it must exit 0,
and its Authorization must be the one botocore computes for the request it
printed (same method, URL, headers, body and X-Amz-Date).

    check_sign_request_example.py PATH_TO_dyncreds_sign_request
"""
import datetime
import os
import subprocess
import sys

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

KEY, SECRET, REGION = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "eu-west-3"


def main(program):
    env = {"PATH": os.environ.get("PATH", ""), "AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET,
           "AWS_REGION": REGION}
    for name in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "TSAN_OPTIONS"):
        if name in os.environ:
            env[name] = os.environ[name]
    result = subprocess.run([program], capture_output=True, text=True, env=env, timeout=60)
    if result.returncode != 0:
        sys.exit(f"sign_request exited {result.returncode}: {result.stderr}")
    lines = [l for l in result.stdout.splitlines() if not l.startswith("#")]
    method, url, _ = lines[0].split(" ")
    blank = lines.index("")
    headers = dict(l.split(": ", 1) for l in lines[1:blank])
    body = "\n".join(lines[blank + 1:]).rstrip("\n")
    authorization = headers.pop("Authorization")
    request = AWSRequest(method=method, url=url, data=body.encode(),
                         headers={k: v for k, v in headers.items() if k != "X-Amz-Date"})
    request.context["timestamp"] = headers["X-Amz-Date"]
    auth = SigV4Auth(Credentials(KEY, SECRET), "sts", REGION)
    auth._modify_request_before_signing(request)
    signature = auth.signature(auth.string_to_sign(request, auth.canonical_request(request)), request)
    day = headers["X-Amz-Date"][:8]
    expected = (f"AWS4-HMAC-SHA256 Credential={KEY}/{day}/{REGION}/sts/aws4_request, "
                f"SignedHeaders={auth.signed_headers(auth.headers_to_sign(request))}, Signature={signature}")
    if authorization != expected:
        sys.exit(f"sign_request printed\n  {authorization}\nbotocore computes\n  {expected}")
    now = datetime.datetime.now(datetime.timezone.utc)
    signed_at = datetime.datetime.strptime(headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    if abs((now - signed_at).total_seconds()) > 300:
        sys.exit(f"signed at {signed_at}, not now")
    print("sign_request's signature matches botocore's:", signature)


if __name__ == "__main__":
    main(sys.argv[1])
