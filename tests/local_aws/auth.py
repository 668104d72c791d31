"""Authenticating requests: SigV4 checked by botocore, keys and sessions checked like AWS.

The signature is recomputed with botocore's SigV4Auth from the stored secret
of the access key, so a request signed by libdyncreds passes only if an
implementation independent of ours agrees with it.
"""

import calendar
import dataclasses
import hmac
import re
import time
import urllib.parse

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from model import AwsError

WINDOW_SECONDS = 15 * 60
_AUTH_RE = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*"
    r"Signature=([0-9a-f]{64})\s*$")


@dataclasses.dataclass
class Caller:
    """Who is calling: an IAM user's key, or STS temporary credentials."""
    access_key_id: str
    arn: str
    user_id: str
    user: object = None     # account.User, for user keys and session-token sessions
    session: object = None  # account.Session, for temporary credentials


@dataclasses.dataclass
class SignedRequest:
    method: str
    host: str
    path: str                # as on the wire (percent-encoded)
    query: list              # decoded (name, value) pairs
    headers: object          # email.message.Message-like: get_all(name)
    body: bytes


def _invalid_token():
    return AwsError(403, "InvalidClientTokenId",
                    "The security token included in the request is invalid.")


def parse_scope(authorization):
    """(access key id, date, region, service, signed headers, signature) or raises."""
    if not authorization:
        raise AwsError(403, "MissingAuthenticationToken", "Request is missing Authentication Token")
    match = _AUTH_RE.match(authorization.strip())
    if not match:
        raise AwsError(400, "IncompleteSignature",
                       f"Authorization header requires 'Credential', 'Signature' and "
                       f"'SignedHeaders' parameters. Authorization={authorization[:40]}")
    credential, signed_headers, signature = match.groups()
    parts = credential.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        raise AwsError(400, "IncompleteSignature", f"Credential is malformed: {credential}")
    return parts[0], parts[1], parts[2], parts[3], signed_headers.split(";"), signature


def _parse_amz_date(text):
    try:
        return calendar.timegm(time.strptime(text, "%Y%m%dT%H%M%SZ"))
    except (TypeError, ValueError):
        return None


def _check_time(amz_date, scope_date, signing_now):
    when = _parse_amz_date(amz_date)
    if when is None:
        raise AwsError(400, "IncompleteSignature",
                       "Authorization header requires existence of either a 'X-Amz-Date' or "
                       "a 'Date' header.")
    if scope_date != amz_date[:8]:
        raise AwsError(403, "SignatureDoesNotMatch",
                       f"Date in Credential scope does not match YYYYMMDD from ISO-8601 version "
                       f"of date from HTTP: '{scope_date}' != '{amz_date[:8]}', from '{amz_date}'.")

    def fmt(t):
        return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t))
    if when < signing_now - WINDOW_SECONDS:
        raise AwsError(403, "SignatureDoesNotMatch",
                       f"Signature expired: {amz_date} is now earlier than "
                       f"{fmt(signing_now - WINDOW_SECONDS)} ({fmt(signing_now)} - 15 min.)")
    if when > signing_now + WINDOW_SECONDS:
        raise AwsError(403, "SignatureDoesNotMatch",
                       f"Signature not yet current: {amz_date} is still later than "
                       f"{fmt(signing_now + WINDOW_SECONDS)} ({fmt(signing_now)} + 15 min.)")


def _expected_signature(request, signed_headers, secret, token, amz_date, region, service,
                        access_key_id):
    aws_request = AWSRequest(method=request.method,
                             url=f"http://{request.host}{request.path}", data=request.body)
    for name in signed_headers:
        for value in request.headers.get_all(name) or []:
            aws_request.headers[name] = value
    aws_request.params = request.query
    aws_request.context["timestamp"] = amz_date
    signer = SigV4Auth(Credentials(access_key_id, secret, token), service, region)
    canonical = signer.canonical_request(aws_request)
    return signer.signature(signer.string_to_sign(aws_request, canonical), aws_request)


def authenticate(request, account, control, expected_service, expected_region=None):
    """The Caller of a signed request, or raises the AwsError AWS would return.

    expected_region: for a regional endpoint (STS's), the region its scope must name."""
    key_id, scope_date, region, service, signed_headers, signature = parse_scope(
        request.headers.get("Authorization"))
    if service != expected_service:
        raise AwsError(403, "SignatureDoesNotMatch",
                       f"Credential should be scoped to correct service: '{expected_service}'. ")
    if expected_region is not None and region != expected_region:
        raise AwsError(403, "SignatureDoesNotMatch",
                       f"Credential should be scoped to a valid region, not '{region}'. ")
    if service == "iam" and region != "us-east-1":
        raise AwsError(403, "SignatureDoesNotMatch",
                       f"Credential should be scoped to a valid region, not '{region}'. ")
    if "host" not in signed_headers:
        raise AwsError(400, "IncompleteSignature",
                       "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
    amz_date = request.headers.get("X-Amz-Date")
    _check_time(amz_date, scope_date, control.clocks.signing_now())

    now = control.clocks.now()
    token = request.headers.get("X-Amz-Security-Token")
    key = account.keys.get(key_id)
    session = account.sessions.get(key_id)
    user = None
    if key is None and key_id in account.retired_keys:
        retired, user, until = account.retired_keys[key_id]
        if now < until:  # deleted, but not yet everywhere
            key = retired
        else:
            del account.retired_keys[key_id]
    if key is not None:
        if key.status != "Active" or now < key.usable_after:
            raise _invalid_token()
        secret = key.secret
        user = account.users.get(key.user_name.lower()) or user
        caller = Caller(key_id, user.arn, user.id, user=user)
    elif session is not None:
        if token is None or not hmac.compare_digest(token, session.token):
            raise _invalid_token()
        if now >= session.expiration:
            raise AwsError(403, "ExpiredToken", "The security token included in the request is expired")
        secret = session.secret
        # Only GetSessionToken credentials act as the IAM user itself.
        user = account.users.get(session.user_name.lower()) if session.kind == "session-token" else None
        caller = Caller(key_id, session.arn, session.user_id, user=user, session=session)
    else:
        raise _invalid_token()

    expected = _expected_signature(request, signed_headers, secret, token, amz_date, region,
                                   service, key_id)
    if not hmac.compare_digest(expected, signature):
        raise AwsError(403, "SignatureDoesNotMatch",
                       "The request signature we calculated does not match the signature you "
                       "provided. Check your AWS Secret Access Key and signing method. Consult "
                       "the service documentation for details.")
    if key is not None:
        key.last_used = now
    return caller


def query_pairs(query_string):
    return urllib.parse.parse_qsl(query_string, keep_blank_values=True)
