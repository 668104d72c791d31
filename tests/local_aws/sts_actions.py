"""STS actions: AssumeRole, GetFederationToken, GetSessionToken, GetCallerIdentity.

Issued credentials are kept as account.Session records; auth.py accepts them
(with their session token) until they expire.
"""

import json
import re
import zlib

from account import Session, check_policy_document, new_id, new_secret, new_session_token
from actions import action, tags_from
from iam_actions import POLICY_ARN, mfa_code_valid
from model import AwsError

_ROLE_ARN = re.compile(r"arn:aws[\w-]*:iam::(\d{12}):role(/[\x21-\x7e]*/|/)([\w+=,.@-]+)")
PACKED_POLICY_LIMIT = 2048  # bytes of compressed session policies and tags
MAX_POLICY_ARNS = 10
ROLE_CHAINING_LIMIT = 3600


def sts(name):
    return action("sts", name)


def _access_denied(call, operation, resource):
    return AwsError(403, "AccessDenied", f"User: {call.caller.arn} is not authorized to perform: "
                    f"sts:{operation} on resource: {resource}")


def _refuse_session_credentials(call, operation):
    if call.caller.session is not None:
        raise AwsError(403, "AccessDenied", f"Cannot call {operation} with session credentials")


def _session_policies(p):
    """Checks Policy, PolicyArns and Tags; returns PackedPolicySize or None."""
    policy = p.get("Policy", "")
    if policy:
        check_policy_document(policy)
    arns = [d["arn"] for d in p.get("PolicyArns", []) if "arn" in d]
    if len(arns) > MAX_POLICY_ARNS:
        raise AwsError(400, "ValidationError", f"1 validation error detected: Value at "
                       f"'policyArns' failed to satisfy constraint: Member must have length less "
                       f"than or equal to {MAX_POLICY_ARNS}")
    for arn in arns:
        if not POLICY_ARN.fullmatch(arn):
            raise AwsError(400, "InvalidParameterValue", f"The policy ARN {arn} is invalid.")
    tags = tags_from(p)
    transitive = p.get("TransitiveTagKeys", [])
    if any(k not in tags for k in transitive):
        raise AwsError(400, "InvalidParameterValue",
                       "The specified transitive tag key must be included in the requested tags.")
    if not (policy or arns or tags):
        return None
    packed = len(zlib.compress("".join([policy, *arns, *(k + v for k, v in tags.items())]).encode()))
    percent = -(-packed * 100 // PACKED_POLICY_LIMIT)
    if percent > 100:
        raise AwsError(400, "PackedPolicyTooLarge", f"Packed size of consumed sessions policies "
                       f"exceed allowed limits: {percent}% of allowed size")
    return percent


def _check_mfa(call, p):
    """True when the call carries a valid MFA code of the caller's device."""
    if "SerialNumber" not in p and "TokenCode" not in p:
        return False
    device = call.account.mfa_devices.get(p.get("SerialNumber", ""))
    user = call.caller.user
    if (device is None or user is None or device.user != user.name.lower()
            or not mfa_code_valid(device, p.get("TokenCode", ""), call.now)):
        raise AwsError(403, "AccessDenied",
                       "MultiFactorAuthentication failed with invalid MFA one time pass code.")
    return True


def _trusts(role, call, p, mfa):
    """A small reading of the role's trust policy: principal, ExternalId and MFA conditions."""
    caller_arns = {"*", call.account.account_id, f"arn:aws:iam::{call.account.account_id}:root",
                   call.caller.arn}
    if call.caller.session is not None and call.caller.session.role_name:
        caller_arns.add(call.account.role(call.caller.session.role_name).arn)
    statements = json.loads(role.trust_policy)["Statement"]
    for s in statements if isinstance(statements, list) else [statements]:
        actions = s.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if s.get("Effect") != "Allow" or not {"sts:AssumeRole", "sts:*", "*"} & set(actions):
            continue
        principal = s.get("Principal", {})
        aws = principal if principal == "*" else principal.get("AWS", [])
        aws = [aws] if isinstance(aws, str) else aws
        if not caller_arns & set(aws):
            continue
        condition = s.get("Condition", {})
        external = condition.get("StringEquals", {}).get("sts:ExternalId")
        if external is not None and p.get("ExternalId") not in ([external] if isinstance(external, str) else external):
            continue
        needs_mfa = str(condition.get("Bool", {}).get("aws:MultiFactorAuthPresent", "")).lower() == "true"
        if needs_mfa and not mfa:
            continue
        return True
    return False


def _issue(call, duration, **fields):
    """Creates and stores temporary credentials; returns the reply's Credentials."""
    session = Session(access_key_id=new_id("ASIA", 20), secret=new_secret(),
                      token=new_session_token(), expiration=call.now + duration,
                      issued_to=call.caller.access_key_id, created=call.now, **fields)
    call.account.sessions[session.access_key_id] = session
    return {"AccessKeyId": session.access_key_id, "SecretAccessKey": session.secret,
            "SessionToken": session.token, "Expiration": session.expiration}


def _common(p):
    return {"policy": p.get("Policy", ""),
            "policy_arns": [d["arn"] for d in p.get("PolicyArns", []) if "arn" in d],
            "tags": tags_from(p)}


@sts("AssumeRole")
def assume_role(call, p):
    arn = p["RoleArn"]
    match = _ROLE_ARN.fullmatch(arn)
    if not match:
        raise AwsError(400, "ValidationError", f"{arn} is invalid")
    role = call.account.roles.get(match.group(3).lower())
    if match.group(1) != call.account.account_id or role is None or role.arn != arn:
        raise _access_denied(call, "AssumeRole", arn)
    packed = _session_policies(p)
    mfa = _check_mfa(call, p)
    if not _trusts(role, call, p, mfa):
        raise _access_denied(call, "AssumeRole", arn)
    duration = p.get("DurationSeconds", 3600)
    chained = call.caller.session is not None and call.caller.session.kind == "assumed-role"
    if chained and duration > ROLE_CHAINING_LIMIT:
        raise AwsError(400, "ValidationError", "The requested DurationSeconds exceeds the 1 hour "
                       "session limit for roles assumed by role chaining.")
    if duration > role.max_session:
        raise AwsError(400, "ValidationError", "The requested DurationSeconds exceeds the "
                       "MaxSessionDuration set for this role.")
    name = p["RoleSessionName"]
    user = {"AssumedRoleId": f"{role.id}:{name}",
            "Arn": f"arn:aws:sts::{call.account.account_id}:assumed-role/{role.name}/{name}"}
    credentials = _issue(call, duration, kind="assumed-role", arn=user["Arn"],
                         user_id=user["AssumedRoleId"], role_name=role.name, session_name=name,
                         source_identity=p.get("SourceIdentity", ""), mfa=mfa, **_common(p))
    return {"Credentials": credentials, "AssumedRoleUser": user, "PackedPolicySize": packed,
            "SourceIdentity": p.get("SourceIdentity")}


@sts("GetFederationToken")
def get_federation_token(call, p):
    _refuse_session_credentials(call, "GetFederationToken")
    packed = _session_policies(p)
    name = p["Name"]
    federated = {"FederatedUserId": f"{call.account.account_id}:{name}",
                 "Arn": f"arn:aws:sts::{call.account.account_id}:federated-user/{name}"}
    credentials = _issue(call, p.get("DurationSeconds", 43200), kind="federated-user",
                         arn=federated["Arn"], user_id=federated["FederatedUserId"],
                         session_name=name, user_name=call.caller.user.name, **_common(p))
    return {"Credentials": credentials, "FederatedUser": federated, "PackedPolicySize": packed}


@sts("GetSessionToken")
def get_session_token(call, p):
    _refuse_session_credentials(call, "GetSessionToken")
    mfa = _check_mfa(call, p)
    user = call.caller.user
    credentials = _issue(call, p.get("DurationSeconds", 43200), kind="session-token",
                         arn=user.arn, user_id=user.id, user_name=user.name, mfa=mfa)
    return {"Credentials": credentials}


@sts("GetCallerIdentity")
def get_caller_identity(call, p):
    return {"UserId": call.caller.user_id, "Account": call.account.account_id,
            "Arn": call.caller.arn}
