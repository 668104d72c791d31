"""IAM actions: users, access keys, policies, groups, roles and the credentials hung on users.

Each handler follows IAM's documented behaviour and error codes; the model
(model.py) has already checked lengths and patterns.
"""

import base64
import hashlib
import hmac
import re
import secrets
import struct

from account import (GROUPS_PER_USER, INLINE_POLICY_LIMITS,
                     MANAGED_POLICIES_PER_ENTITY, TAGS_PER_ENTITY, Group, ManagedPolicy, Role,
                     VirtualMfaDevice, check_policy_document, compact_size, new_id, new_secret,
                     tag_list)
from actions import action, paginate, tags_from
from model import AwsError

POLICY_ARN = re.compile(r"arn:aws[\w-]*:iam::(aws|\d{12}):policy(/[\x21-\x7e]*)?/[\w+=,.@-]+")


def iam(name):
    return action("iam", name)


def _by_name(items):
    return sorted(items, key=lambda e: e.name.lower())


def _name_key(entity):
    return entity.name.lower()


def _check_policy_arn(arn, call):
    if not POLICY_ARN.fullmatch(arn):
        raise AwsError(400, "InvalidInput", f"ARN {arn} is not valid.")
    return call.account.policy(arn)


def _delete_conflict(what):
    return AwsError(409, "DeleteConflict", f"Cannot delete entity, must {what} first.")


def _refuse_while_policies(entity):
    if entity.inline:
        raise _delete_conflict("delete policies")
    if entity.attached:
        raise _delete_conflict("detach all policies")


def _caller_user(call, params):
    """The UserName parameter's user, or the calling IAM user when it is absent."""
    if "UserName" in params:
        return call.account.user(params["UserName"])
    if call.caller.user is None:
        raise AwsError(400, "ValidationError",
                       "Must specify userName when calling with non-User credentials")
    return call.caller.user


# --- Users ---------------------------------------------------------------------

@iam("CreateUser")
def create_user(call, p):
    boundary = p.get("PermissionsBoundary", "")
    if boundary:
        _check_policy_arn(boundary, call)
    user = call.account.create_user(p["UserName"], call.now, p.get("Path", "/"), boundary,
                                    tags_from(p))
    return {"User": user.describe()}


@iam("GetUser")
def get_user(call, p):
    return {"User": _caller_user(call, p).describe()}


@iam("ListUsers")
def list_users(call, p):
    prefix = p.get("PathPrefix", "/")
    users = [u for u in _by_name(call.account.users.values()) if u.path.startswith(prefix)]
    page = paginate(call, users, _name_key, p, "Users")
    page["Users"] = [u.describe(with_tags=False) for u in page["Users"]]
    return page


@iam("DeleteUser")
def delete_user(call, p):
    user = call.account.user(p["UserName"])
    blockers = (
        (user.login_profile, "delete login profile"),
        (user.keys, "delete access keys"),
        (user.signing_certs, "delete signing certificates"),
        (user.ssh_keys, "delete SSH public keys"),
        (user.service_creds, "delete service-specific credentials"),
        (user.mfa_devices, "delete MFA device"),
        (user.inline, "delete policies"),
        (user.attached, "detach all policies"),
        (user.groups, "remove user from all groups"),
    )
    for present, what in blockers:
        if present:
            raise _delete_conflict(what)
    del call.account.users[user.name.lower()]


@iam("TagUser")
def tag_user(call, p):
    user = call.account.user(p["UserName"])
    merged = {**user.tags, **tags_from(p)}
    if len(merged) > TAGS_PER_ENTITY:
        raise AwsError(409, "LimitExceeded", f"Cannot exceed quota for TagsPerUser: {TAGS_PER_ENTITY}")
    user.tags = merged


@iam("UntagUser")
def untag_user(call, p):
    user = call.account.user(p["UserName"])
    for key in p["TagKeys"]:
        user.tags.pop(key, None)


@iam("ListUserTags")
def list_user_tags(call, p):
    user = call.account.user(p["UserName"])
    tags = sorted(tag_list(user.tags), key=lambda t: t["Key"])
    return paginate(call, tags, lambda t: t["Key"], p, "Tags")


# --- Access keys -----------------------------------------------------------------

def _key_of(user, key_id):
    key = user.keys.get(key_id)
    if key is None:
        raise AwsError(404, "NoSuchEntity", f"The Access Key with id {key_id} cannot be found.")
    return key


def _key_metadata(key):
    return {"UserName": key.user_name, "AccessKeyId": key.id, "Status": key.status,
            "CreateDate": key.created}


@iam("CreateAccessKey")
def create_access_key(call, p):
    key = call.account.create_access_key(_caller_user(call, p), call.now)
    key.usable_after = call.now + call.control.key_propagation_seconds
    return {"AccessKey": {**_key_metadata(key), "SecretAccessKey": key.secret}}


@iam("ListAccessKeys")
def list_access_keys(call, p):
    user = _caller_user(call, p)
    keys = sorted(user.keys.values(), key=lambda k: k.id)
    page = paginate(call, keys, lambda k: k.id, p, "AccessKeyMetadata")
    page["AccessKeyMetadata"] = [_key_metadata(k) for k in page["AccessKeyMetadata"]]
    return page


@iam("UpdateAccessKey")
def update_access_key(call, p):
    _key_of(_caller_user(call, p), p["AccessKeyId"]).status = p["Status"]


@iam("DeleteAccessKey")
def delete_access_key(call, p):
    user = _caller_user(call, p)
    key = _key_of(user, p["AccessKeyId"])
    del user.keys[key.id]
    del call.account.keys[key.id]
    # IAM is eventually consistent: a deleted key may still work for a few seconds.
    if call.control.deleted_key_seconds > 0:
        call.account.retired_keys[key.id] = (key, user, call.now + call.control.deleted_key_seconds)


@iam("GetAccessKeyLastUsed")
def get_access_key_last_used(call, p):
    key = call.account.keys.get(p["AccessKeyId"])
    if key is None:
        raise AwsError(404, "NoSuchEntity", f"The Access Key with id {p['AccessKeyId']} cannot be found.")
    used = {"ServiceName": "N/A", "Region": "N/A"}
    if key.last_used:
        used = {"LastUsedDate": key.last_used, "ServiceName": "iam", "Region": "us-east-1"}
    return {"UserName": key.user_name, "AccessKeyLastUsed": used}


# --- Managed policies ------------------------------------------------------------

@iam("CreatePolicy")
def create_policy(call, p):
    path = p.get("Path", "/")
    arn = call.account.arn("policy", path, p["PolicyName"])
    if any(x.name.lower() == p["PolicyName"].lower() for x in call.account.policies.values()):
        raise AwsError(409, "EntityAlreadyExists", f"A policy called {p['PolicyName']} already "
                       "exists. Duplicate names are not allowed.")
    check_policy_document(p["PolicyDocument"])
    if compact_size(p["PolicyDocument"]) > 6144:
        raise AwsError(409, "LimitExceeded", "Cannot exceed quota for PolicySize: 6144")
    policy = ManagedPolicy(p["PolicyName"], arn, new_id("ANPA"), path, p["PolicyDocument"],
                           call.now, p.get("Description", ""))
    call.account.policies[arn] = policy
    return {"Policy": policy.describe()}


@iam("GetPolicy")
def get_policy(call, p):
    return {"Policy": _check_policy_arn(p["PolicyArn"], call).describe()}


@iam("DeletePolicy")
def delete_policy(call, p):
    arn = p["PolicyArn"]
    policy = _check_policy_arn(arn, call)
    if policy.aws_managed:
        raise AwsError(403, "AccessDenied", f"Cannot delete the AWS managed policy {arn}.")
    if policy.attachments:
        raise AwsError(409, "DeleteConflict", "Cannot delete a policy attached to entities.")
    del call.account.policies[arn]


@iam("ListPolicies")
def list_policies(call, p):
    scope = p.get("Scope", "All")
    pool = []
    if scope in ("All", "AWS"):
        pool += call.account.aws_policies.values()
    if scope in ("All", "Local"):
        pool += call.account.policies.values()
    prefix = p.get("PathPrefix", "/")
    pool = [x for x in pool if x.path.startswith(prefix)
            and (x.attachments or not p.get("OnlyAttached"))]
    page = paginate(call, sorted(pool, key=lambda x: x.arn), lambda x: x.arn, p, "Policies")
    page["Policies"] = [x.describe() for x in page["Policies"]]
    return page


# --- Policies on users, groups and roles: one set of handlers for each kind ------

_KINDS = {
    # kind: (name parameter, account lookup, quota name)
    "User": ("UserName", lambda a: a.user, "PoliciesPerUser"),
    "Group": ("GroupName", lambda a: a.group, "PoliciesPerGroup"),
    "Role": ("RoleName", lambda a: a.role, "PoliciesPerRole"),
}


def _register_policy_handlers(kind, name_param, lookup, quota):
    lower = kind.lower()

    def holder(call, p):
        return lookup(call.account)(p[name_param])

    def inline_policy(entity, name):
        if name not in entity.inline:
            raise AwsError(404, "NoSuchEntity",
                           f"The {lower} policy with name {name} cannot be found.")
        return entity.inline[name]

    @iam(f"Put{kind}Policy")
    def put(call, p):
        entity = holder(call, p)
        check_policy_document(p["PolicyDocument"])
        others = sum(compact_size(d) for n, d in entity.inline.items() if n != p["PolicyName"])
        limit = INLINE_POLICY_LIMITS[lower]
        if others + compact_size(p["PolicyDocument"]) > limit:
            raise AwsError(409, "LimitExceeded",
                           f"Maximum policy size of {limit} bytes exceeded for {lower} {entity.name}")
        entity.inline[p["PolicyName"]] = p["PolicyDocument"]

    @iam(f"Get{kind}Policy")
    def get(call, p):
        entity = holder(call, p)
        return {name_param: entity.name, "PolicyName": p["PolicyName"],
                "PolicyDocument": inline_policy(entity, p["PolicyName"])}

    @iam(f"List{kind}Policies")
    def list_inline(call, p):
        return paginate(call, sorted(holder(call, p).inline), str, p, "PolicyNames")

    @iam(f"Delete{kind}Policy")
    def delete(call, p):
        entity = holder(call, p)
        inline_policy(entity, p["PolicyName"])
        del entity.inline[p["PolicyName"]]

    @iam(f"Attach{kind}Policy")
    def attach(call, p):
        entity = holder(call, p)
        policy = _check_policy_arn(p["PolicyArn"], call)
        if policy.arn in entity.attached:
            return
        if len(entity.attached) >= MANAGED_POLICIES_PER_ENTITY:
            raise AwsError(409, "LimitExceeded",
                           f"Cannot exceed quota for {quota}: {MANAGED_POLICIES_PER_ENTITY}")
        entity.attached[policy.arn] = policy.name
        policy.attachments += 1

    @iam(f"Detach{kind}Policy")
    def detach(call, p):
        entity = holder(call, p)
        policy = _check_policy_arn(p["PolicyArn"], call)
        if policy.arn not in entity.attached:
            raise AwsError(404, "NoSuchEntity", f"Policy {policy.arn} was not found.")
        del entity.attached[policy.arn]
        policy.attachments -= 1

    @iam(f"ListAttached{kind}Policies")
    def list_attached(call, p):
        entity = holder(call, p)
        prefix = p.get("PathPrefix", "/")
        attached = sorted((arn, name) for arn, name in entity.attached.items()
                          if call.account.policy(arn).path.startswith(prefix))
        page = paginate(call, attached, lambda x: x[0], p, "AttachedPolicies")
        page["AttachedPolicies"] = [{"PolicyName": n, "PolicyArn": a}
                                    for a, n in page["AttachedPolicies"]]
        return page


for _kind, _spec in _KINDS.items():
    _register_policy_handlers(_kind, *_spec)


# --- Groups ----------------------------------------------------------------------

@iam("CreateGroup")
def create_group(call, p):
    name, path = p["GroupName"], p.get("Path", "/")
    if name.lower() in call.account.groups:
        raise AwsError(409, "EntityAlreadyExists", f"Group with name {name} already exists.")
    group = Group(name=name, id=new_id("AGPA"), path=path,
                  arn=call.account.arn("group", path, name), created=call.now)
    call.account.groups[name.lower()] = group
    return {"Group": group.describe()}


@iam("GetGroup")
def get_group(call, p):
    group = call.account.group(p["GroupName"])
    members = _by_name(call.account.users[n] for n in group.members)
    page = paginate(call, members, _name_key, p, "Users")
    page["Users"] = [u.describe(with_tags=False) for u in page["Users"]]
    return {"Group": group.describe(), **page}


@iam("DeleteGroup")
def delete_group(call, p):
    group = call.account.group(p["GroupName"])
    if group.members:
        raise _delete_conflict("remove users from group")
    _refuse_while_policies(group)
    del call.account.groups[group.name.lower()]


@iam("AddUserToGroup")
def add_user_to_group(call, p):
    group = call.account.group(p["GroupName"])
    user = call.account.user(p["UserName"])
    if group.name.lower() in user.groups:
        return
    if len(user.groups) >= GROUPS_PER_USER:
        raise AwsError(409, "LimitExceeded", f"Cannot exceed quota for GroupsPerUser: {GROUPS_PER_USER}")
    user.groups[group.name.lower()] = group.name
    group.members[user.name.lower()] = user.name


@iam("RemoveUserFromGroup")
def remove_user_from_group(call, p):
    group = call.account.group(p["GroupName"])
    user = call.account.user(p["UserName"])
    if group.name.lower() not in user.groups:
        raise AwsError(404, "NoSuchEntity", f"The user with name {user.name} cannot be found.")
    del user.groups[group.name.lower()]
    del group.members[user.name.lower()]


@iam("ListGroupsForUser")
def list_groups_for_user(call, p):
    user = call.account.user(p["UserName"])
    groups = _by_name(call.account.groups[g] for g in user.groups)
    page = paginate(call, groups, _name_key, p, "Groups")
    page["Groups"] = [g.describe() for g in page["Groups"]]
    return page


# --- Login profiles --------------------------------------------------------------

def _login_profile(user):
    if user.login_profile is None:
        raise AwsError(404, "NoSuchEntity", f"Login Profile for User {user.name} cannot be found.")
    return user.login_profile


@iam("CreateLoginProfile")
def create_login_profile(call, p):
    user = call.account.user(p["UserName"])
    if user.login_profile is not None:
        raise AwsError(409, "EntityAlreadyExists", f"Login Profile for user {user.name} already exists.")
    if len(p["Password"]) < 8:
        raise AwsError(400, "PasswordPolicyViolation",
                       "Password should have a minimum length of 8")
    user.login_profile = {"UserName": user.name, "CreateDate": call.now,
                          "PasswordResetRequired": p.get("PasswordResetRequired", False)}
    return {"LoginProfile": user.login_profile}


@iam("GetLoginProfile")
def get_login_profile(call, p):
    return {"LoginProfile": _login_profile(call.account.user(p["UserName"]))}


@iam("DeleteLoginProfile")
def delete_login_profile(call, p):
    user = call.account.user(p["UserName"])
    _login_profile(user)
    user.login_profile = None


# --- Virtual MFA devices -----------------------------------------------------------

def totp(seed_base32, counter):
    """RFC 6238 TOTP (SHA-1, 6 digits) for a 30-second counter."""
    key = base64.b32decode(seed_base32)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{code % 1000000:06d}"


def mfa_code_valid(device, code, now):
    counter = int(now // 30)
    return any(hmac.compare_digest(totp(device.seed, c), code) for c in (counter - 1, counter, counter + 1))


def _mfa_device(call, serial):
    device = call.account.mfa_devices.get(serial)
    if device is None:
        raise AwsError(404, "NoSuchEntity", f"VirtualMFADevice with serial number {serial} doesn't exist.")
    return device


@iam("CreateVirtualMFADevice")
def create_virtual_mfa_device(call, p):
    path = p.get("Path", "/")
    serial = call.account.arn("mfa", path, p["VirtualMFADeviceName"])
    if serial in call.account.mfa_devices:
        raise AwsError(409, "EntityAlreadyExists", "MFADevice entity at the same path and name already exists.")
    seed = base64.b32encode(secrets.token_bytes(40))
    call.account.mfa_devices[serial] = VirtualMfaDevice(serial, seed, call.now)
    return {"VirtualMFADevice": {"SerialNumber": serial, "Base32StringSeed": seed}}


@iam("EnableMFADevice")
def enable_mfa_device(call, p):
    user = call.account.user(p["UserName"])
    device = _mfa_device(call, p["SerialNumber"])
    if device.user:
        raise AwsError(409, "EntityAlreadyExists", "MFA Device is already in use.")
    counter = int(call.now // 30)
    code1, code2 = p["AuthenticationCode1"], p["AuthenticationCode2"]
    if not any(totp(device.seed, c) == code1 and totp(device.seed, c + 1) == code2
               for c in range(counter - 2, counter + 1)):
        raise AwsError(403, "InvalidAuthenticationCode", "Authentication code for the MFA device is not valid.")
    device.user, device.enabled_at = user.name.lower(), call.now
    user.mfa_devices[device.serial] = call.now


@iam("ListMFADevices")
def list_mfa_devices(call, p):
    user = _caller_user(call, p)
    devices = [{"UserName": user.name, "SerialNumber": s, "EnableDate": t}
               for s, t in sorted(user.mfa_devices.items())]
    return paginate(call, devices, lambda d: d["SerialNumber"], p, "MFADevices")


@iam("DeactivateMFADevice")
def deactivate_mfa_device(call, p):
    user = call.account.user(p["UserName"])
    serial = p["SerialNumber"]
    if serial not in user.mfa_devices:
        raise AwsError(404, "NoSuchEntity", f"MFA Device with serial number {serial} does not exist.")
    del user.mfa_devices[serial]
    device = call.account.mfa_devices.get(serial)
    if device is not None:
        device.user, device.enabled_at = "", 0.0


@iam("DeleteVirtualMFADevice")
def delete_virtual_mfa_device(call, p):
    device = _mfa_device(call, p["SerialNumber"])
    if device.user:
        raise AwsError(409, "DeleteConflict", "MFA Device is still in use")
    del call.account.mfa_devices[device.serial]


# --- SSH public keys, signing certificates, service-specific credentials -----------

def _owned(collection, item_id, what):
    if item_id not in collection:
        raise AwsError(404, "NoSuchEntity", f"The {what} with id {item_id} cannot be found.")
    return collection[item_id]


@iam("UploadSSHPublicKey")
def upload_ssh_public_key(call, p):
    user = call.account.user(p["UserName"])
    fields = p["SSHPublicKeyBody"].split()
    try:
        blob = base64.b64decode(fields[1], validate=True) if len(fields) >= 2 else b""
    except ValueError:
        blob = b""
    if not fields or fields[0] not in ("ssh-rsa", "ssh-ed25519") or not blob:
        raise AwsError(400, "UnrecognizedPublicKeyEncoding", "The public key encoding format is unsupported or unrecognized.")
    if len(user.ssh_keys) >= 5:
        raise AwsError(409, "LimitExceeded", "Cannot exceed quota for KeysPerUser: 5")
    fingerprint = ":".join(f"{b:02x}" for b in hashlib.md5(blob).digest())
    if any(k["Fingerprint"] == fingerprint for k in user.ssh_keys.values()):
        raise AwsError(400, "DuplicateSSHPublicKey", "The SSH public key is already associated with the specified IAM user.")
    key = {"UserName": user.name, "SSHPublicKeyId": new_id("APKA"), "Fingerprint": fingerprint,
           "SSHPublicKeyBody": p["SSHPublicKeyBody"], "Status": "Active", "UploadDate": call.now}
    user.ssh_keys[key["SSHPublicKeyId"]] = key
    return {"SSHPublicKey": key}


@iam("ListSSHPublicKeys")
def list_ssh_public_keys(call, p):
    user = _caller_user(call, p)
    keys = [{k: v for k, v in key.items() if k in ("UserName", "SSHPublicKeyId", "Status", "UploadDate")}
            for _, key in sorted(user.ssh_keys.items())]
    return paginate(call, keys, lambda k: k["SSHPublicKeyId"], p, "SSHPublicKeys")


@iam("DeleteSSHPublicKey")
def delete_ssh_public_key(call, p):
    user = call.account.user(p["UserName"])
    _owned(user.ssh_keys, p["SSHPublicKeyId"], "Public Key")
    del user.ssh_keys[p["SSHPublicKeyId"]]


@iam("UploadSigningCertificate")
def upload_signing_certificate(call, p):
    user = _caller_user(call, p)
    body = p["CertificateBody"].strip()
    if not (body.startswith("-----BEGIN CERTIFICATE-----") and body.endswith("-----END CERTIFICATE-----")):
        raise AwsError(400, "MalformedCertificate", "Unable to parse certificate. Please ensure the certificate is in PEM format.")
    if len(user.signing_certs) >= 2:
        raise AwsError(409, "LimitExceeded", "Cannot exceed quota for SigningCertificatesPerUser: 2")
    cert = {"UserName": user.name, "CertificateId": new_id("", 32), "CertificateBody": body,
            "Status": "Active", "UploadDate": call.now}
    user.signing_certs[cert["CertificateId"]] = cert
    return {"Certificate": cert}


@iam("ListSigningCertificates")
def list_signing_certificates(call, p):
    user = _caller_user(call, p)
    certs = [c for _, c in sorted(user.signing_certs.items())]
    return paginate(call, certs, lambda c: c["CertificateId"], p, "Certificates")


@iam("DeleteSigningCertificate")
def delete_signing_certificate(call, p):
    user = _caller_user(call, p)
    _owned(user.signing_certs, p["CertificateId"], "Signing Certificate")
    del user.signing_certs[p["CertificateId"]]


_SPECIFIC_SERVICES = ("codecommit.amazonaws.com", "cassandra.amazonaws.com")


@iam("CreateServiceSpecificCredential")
def create_service_specific_credential(call, p):
    user = call.account.user(p["UserName"])
    service = p["ServiceName"]
    if service not in _SPECIFIC_SERVICES:
        raise AwsError(400, "NotSupportedService", f"Service {service} is not supported for service-specific credentials.")
    if sum(1 for c in user.service_creds.values() if c["ServiceName"] == service) >= 2:
        raise AwsError(409, "LimitExceeded", "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: 2")
    cred = {"CreateDate": call.now, "ServiceName": service,
            "ServiceUserName": f"{user.name}-at-{call.account.account_id}",
            "ServiceSpecificCredentialId": new_id("ACCA"), "UserName": user.name, "Status": "Active"}
    user.service_creds[cred["ServiceSpecificCredentialId"]] = cred
    return {"ServiceSpecificCredential": {**cred, "ServicePassword": new_secret()}}


@iam("ListServiceSpecificCredentials")
def list_service_specific_credentials(call, p):
    user = _caller_user(call, p)
    creds = [c for _, c in sorted(user.service_creds.items())
             if p.get("ServiceName") in (None, c["ServiceName"])]
    return {"ServiceSpecificCredentials": creds}


@iam("DeleteServiceSpecificCredential")
def delete_service_specific_credential(call, p):
    user = _caller_user(call, p)
    _owned(user.service_creds, p["ServiceSpecificCredentialId"], "Service Specific Credential")
    del user.service_creds[p["ServiceSpecificCredentialId"]]


# --- Roles -------------------------------------------------------------------------

@iam("CreateRole")
def create_role(call, p):
    name, path = p["RoleName"], p.get("Path", "/")
    if name.lower() in call.account.roles:
        raise AwsError(409, "EntityAlreadyExists", f"Role with name {name} already exists.")
    check_policy_document(p["AssumeRolePolicyDocument"], require_principal=True)
    max_session = p.get("MaxSessionDuration", 3600)
    boundary = p.get("PermissionsBoundary", "")
    if boundary:
        _check_policy_arn(boundary, call)
    role = Role(name=name, id=new_id("AROA"), path=path, arn=call.account.arn("role", path, name),
                created=call.now, trust_policy=p["AssumeRolePolicyDocument"],
                description=p.get("Description", ""), max_session=max_session,
                boundary=boundary, tags=tags_from(p))
    call.account.roles[name.lower()] = role
    return {"Role": role.describe()}


@iam("GetRole")
def get_role(call, p):
    return {"Role": call.account.role(p["RoleName"]).describe()}


@iam("ListRoles")
def list_roles(call, p):
    prefix = p.get("PathPrefix", "/")
    roles = [r for r in _by_name(call.account.roles.values()) if r.path.startswith(prefix)]
    page = paginate(call, roles, _name_key, p, "Roles")
    page["Roles"] = [r.describe() for r in page["Roles"]]
    return page


@iam("DeleteRole")
def delete_role(call, p):
    role = call.account.role(p["RoleName"])
    _refuse_while_policies(role)
    del call.account.roles[role.name.lower()]

