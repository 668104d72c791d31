"""SigV4 signing of any AWS request, through the library's signer."""
import json

from ._native import call_string, encode, lib


def sign_request(method, url, region, service, access_key, secret_key, session_token=None, headers=None,
                 body=None, payload_hash=None, time=None):
    """Returns the headers to add to the request (Authorization,
    X-Amz-Date, and X-Amz-Security-Token / X-Amz-Content-Sha256 when they
    apply). `body` is str or bytes (UTF-8 text); `time` is RFC 3339 or Unix
    seconds (default now)."""
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    request = {k: v for k, v in dict(method=method, url=url, region=region, service=service, access_key=access_key,
                                     secret_key=secret_key, session_token=session_token, headers=headers, body=body,
                                     payload_hash=payload_hash, time=time).items() if v is not None}
    return json.loads(call_string(lib.dyncreds_sigv4_sign, encode(json.dumps(request))))["headers"]
