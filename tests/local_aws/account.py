"""The state of one simulated AWS account: IAM entities, access keys and STS sessions.

Everything is kept in memory behind one lock (`Account.lock`); the action
handlers hold it for the whole call, so each call is atomic as seen by others.
IAM names are unique without regard to case, as in IAM, so the maps are keyed
by the lower-cased name.
"""

import base64
import dataclasses
import hashlib
import json
import secrets
import threading

from model import AwsError, iso8601

_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # IAM ids are base32-like


def new_id(prefix, length=21):
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length - len(prefix)))


def new_secret():
    """A 40-character secret access key, as IAM issues."""
    return base64.b64encode(secrets.token_bytes(30)).decode("ascii")


def new_session_token():
    return "FwoGZXIvYXdzE" + base64.b64encode(secrets.token_bytes(240)).decode("ascii")


# Some AWS-managed policies, attachable by ARN like the real ones.
AWS_MANAGED_POLICIES = (
    "AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess", "ViewOnlyAccess",
    "SecurityAudit", "IAMFullAccess", "IAMReadOnlyAccess", "IAMUserChangePassword",
    "AmazonS3FullAccess", "AmazonS3ReadOnlyAccess", "AmazonEC2FullAccess",
    "AmazonEC2ReadOnlyAccess", "AmazonDynamoDBReadOnlyAccess", "AmazonSQSFullAccess",
    "AmazonSNSReadOnlyAccess", "CloudWatchReadOnlyAccess",
)

# Inline policy size limits (characters, whitespace not counted), per entity kind.
INLINE_POLICY_LIMITS = {"user": 2048, "group": 5120, "role": 10240}
MANAGED_POLICIES_PER_ENTITY = 10
GROUPS_PER_USER = 10
ACCESS_KEYS_PER_USER = 2
TAGS_PER_ENTITY = 50


@dataclasses.dataclass
class PolicyHolder:
    """What users, groups and roles share: inline and attached managed policies."""
    inline: dict = dataclasses.field(default_factory=dict)    # name -> document
    attached: dict = dataclasses.field(default_factory=dict)  # arn -> policy name


@dataclasses.dataclass
class Entity(PolicyHolder):
    """What users, groups and roles share: identity, path and policies."""
    name: str = ""
    id: str = ""
    path: str = "/"
    arn: str = ""
    created: float = 0.0


@dataclasses.dataclass
class AccessKey:
    id: str
    secret: str
    user_name: str
    created: float
    status: str = "Active"
    last_used: float = 0.0
    usable_after: float = 0.0  # simulated IAM propagation delay


@dataclasses.dataclass
class User(Entity):
    boundary: str = ""
    tags: dict = dataclasses.field(default_factory=dict)
    keys: dict = dataclasses.field(default_factory=dict)          # id -> AccessKey
    groups: dict = dataclasses.field(default_factory=dict)        # lower name -> Group name
    login_profile: dict = None
    mfa_devices: dict = dataclasses.field(default_factory=dict)   # serial -> enable time
    ssh_keys: dict = dataclasses.field(default_factory=dict)      # id -> dict
    signing_certs: dict = dataclasses.field(default_factory=dict)  # id -> dict
    service_creds: dict = dataclasses.field(default_factory=dict)  # id -> dict

    def describe(self, with_tags=True):
        out = {"Path": self.path, "UserName": self.name, "UserId": self.id,
               "Arn": self.arn, "CreateDate": self.created}
        out.update(boundary_and_tags(self.boundary, self.tags if with_tags else {}))
        return out


@dataclasses.dataclass
class Group(Entity):
    members: dict = dataclasses.field(default_factory=dict)  # lower user name -> user name

    def describe(self):
        return {"Path": self.path, "GroupName": self.name, "GroupId": self.id,
                "Arn": self.arn, "CreateDate": self.created}


@dataclasses.dataclass
class Role(Entity):
    trust_policy: str = ""
    description: str = ""
    max_session: int = 3600
    boundary: str = ""
    tags: dict = dataclasses.field(default_factory=dict)

    def describe(self):
        out = {"Path": self.path, "RoleName": self.name, "RoleId": self.id, "Arn": self.arn,
               "CreateDate": self.created, "AssumeRolePolicyDocument": self.trust_policy,
               "MaxSessionDuration": self.max_session}
        if self.description:
            out["Description"] = self.description
        out.update(boundary_and_tags(self.boundary, self.tags))
        return out


@dataclasses.dataclass
class ManagedPolicy:
    name: str
    arn: str
    id: str
    path: str
    document: str
    created: float
    description: str = ""
    attachments: int = 0
    aws_managed: bool = False

    def describe(self):
        out = {"PolicyName": self.name, "PolicyId": self.id, "Arn": self.arn,
               "Path": self.path, "DefaultVersionId": "v1",
               "AttachmentCount": self.attachments, "PermissionsBoundaryUsageCount": 0,
               "IsAttachable": True, "CreateDate": self.created, "UpdateDate": self.created}
        if self.description:
            out["Description"] = self.description
        return out


@dataclasses.dataclass
class VirtualMfaDevice:
    serial: str
    seed: bytes  # base32 text, as IAM hands it out
    created: float
    user: str = ""  # lower name of the user it is enabled for, if any
    enabled_at: float = 0.0


@dataclasses.dataclass
class Session:
    """Temporary credentials issued by STS."""
    access_key_id: str
    secret: str
    token: str
    expiration: float
    kind: str            # "assumed-role" | "federated-user" | "session-token"
    arn: str             # the principal the credentials act as
    user_id: str         # GetCallerIdentity's UserId
    issued_to: str       # the access key id that asked for them
    created: float
    user_name: str = ""  # session-token: the IAM user they belong to
    role_name: str = ""
    session_name: str = ""
    policy: str = ""
    policy_arns: list = dataclasses.field(default_factory=list)
    tags: dict = dataclasses.field(default_factory=dict)
    source_identity: str = ""
    mfa: bool = False


def tag_list(tags):
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def boundary_and_tags(boundary, tags):
    """The PermissionsBoundary and Tags members of a User or Role, when set."""
    out = {}
    if boundary:
        out["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy",
                                      "PermissionsBoundaryArn": boundary}
    if tags:
        out["Tags"] = tag_list(tags)
    return out


def compact_size(document):
    """IAM's policy size: characters other than whitespace."""
    return sum(1 for c in document if not c.isspace())


def check_policy_document(document, require_principal=False):
    """Raises MalformedPolicyDocument unless `document` is a policy IAM would accept."""
    try:
        policy = json.loads(document)
    except ValueError:
        raise AwsError(400, "MalformedPolicyDocument", "Syntax errors in policy.")
    if not isinstance(policy, dict) or "Statement" not in policy:
        raise AwsError(400, "MalformedPolicyDocument", "Syntax errors in policy.")
    if policy.get("Version", "2012-10-17") not in ("2012-10-17", "2008-10-17"):
        raise AwsError(400, "MalformedPolicyDocument", "The policy failed legacy parsing")
    statements = policy["Statement"]
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise AwsError(400, "MalformedPolicyDocument", "Syntax errors in policy.")
    for s in statements:
        if not isinstance(s, dict) or s.get("Effect") not in ("Allow", "Deny"):
            raise AwsError(400, "MalformedPolicyDocument", "Syntax errors in policy.")
        if "Action" not in s and "NotAction" not in s:
            raise AwsError(400, "MalformedPolicyDocument", "Policy statement must contain actions.")
        if require_principal:  # a role's trust policy
            if "Principal" not in s and "NotPrincipal" not in s:
                raise AwsError(400, "MalformedPolicyDocument", "Missing required field Principal")
            if "Resource" in s:
                raise AwsError(400, "MalformedPolicyDocument", "Has prohibited field Resource")
        elif "Resource" not in s and "NotResource" not in s:
            raise AwsError(400, "MalformedPolicyDocument", "Policy statement must contain resources.")
    return policy


class Account:
    """One AWS account as IAM and STS see it."""

    def __init__(self, account_id="123456789012"):
        self.lock = threading.RLock()
        self.account_id = account_id
        self.reset()

    def reset(self):
        with self.lock:
            self.users = {}
            self.groups = {}
            self.roles = {}
            self.policies = {}     # arn -> ManagedPolicy (customer-managed only)
            self.keys = {}         # access key id -> AccessKey
            self.retired_keys = {}  # deleted access key id -> (AccessKey, User, authenticates until)
            self.sessions = {}     # temporary access key id -> Session
            self.mfa_devices = {}  # serial -> VirtualMfaDevice
            self.aws_policies = {
                f"arn:aws:iam::aws:policy/{name}": ManagedPolicy(
                    name, f"arn:aws:iam::aws:policy/{name}",
                    "ANPA" + hashlib.sha256(name.encode()).hexdigest()[:17].upper(),
                    "/", '{"Version":"2012-10-17","Statement":[]}', 0.0, aws_managed=True)
                for name in AWS_MANAGED_POLICIES}

    # --- lookups that raise IAM's NoSuchEntity -------------------------------

    def user(self, name):
        user = self.users.get(name.lower())
        if user is None:
            raise AwsError(404, "NoSuchEntity", f"The user with name {name} cannot be found.")
        return user

    def group(self, name):
        group = self.groups.get(name.lower())
        if group is None:
            raise AwsError(404, "NoSuchEntity", f"The group with name {name} cannot be found.")
        return group

    def role(self, name):
        role = self.roles.get(name.lower())
        if role is None:
            raise AwsError(404, "NoSuchEntity", f"The role with name {name} cannot be found.")
        return role

    def policy(self, arn):
        policy = self.policies.get(arn) or self.aws_policies.get(arn)
        if policy is None:
            raise AwsError(404, "NoSuchEntity",
                           f"Policy {arn} does not exist or is not attachable.")
        return policy

    def arn(self, kind, path, name):
        return f"arn:aws:iam::{self.account_id}:{kind}{path}{name}"

    # --- creation used by the bootstrap and by the handlers ------------------

    def create_user(self, name, now, path="/", boundary="", tags=None):
        if name.lower() in self.users:
            raise AwsError(409, "EntityAlreadyExists", f"User with name {name} already exists.")
        user = User(name=name, id=new_id("AIDA"), path=path, arn=self.arn("user", path, name),
                    created=now, boundary=boundary, tags=dict(tags or {}))
        self.users[name.lower()] = user
        return user

    def create_access_key(self, user, now, key_id=None, secret=None):
        if len(user.keys) >= ACCESS_KEYS_PER_USER:
            raise AwsError(409, "LimitExceeded",
                           f"Cannot exceed quota for AccessKeysPerUser: {ACCESS_KEYS_PER_USER}")
        key = AccessKey(id=key_id or new_id("AKIA", 20), secret=secret or new_secret(),
                        user_name=user.name, created=now)
        user.keys[key.id] = key
        self.keys[key.id] = key
        return key

    # --- the state dump for tests ---------------------------------------------

    def dump(self, now):
        """Everything that exists, as JSON-ready data. No secrets."""
        def policies_of(holder):
            return {"attached_policies": list(holder.attached),
                    "inline_policies": {n: json.loads(d) for n, d in holder.inline.items()}}

        users = []
        for u in sorted(self.users.values(), key=lambda u: u.name.lower()):
            users.append({
                "name": u.name, "id": u.id, "arn": u.arn, "path": u.path,
                "created": iso8601(u.created), "permissions_boundary": u.boundary or None,
                "tags": dict(u.tags),
                "access_keys": [{"id": k.id, "status": k.status, "created": iso8601(k.created)}
                                for k in u.keys.values()],
                "groups": list(u.groups.values()),
                "login_profile": u.login_profile is not None,
                "mfa_devices": list(u.mfa_devices),
                "ssh_public_keys": list(u.ssh_keys),
                "signing_certificates": list(u.signing_certs),
                "service_specific_credentials": list(u.service_creds),
                **policies_of(u)})
        groups = [{"name": g.name, "arn": g.arn, "path": g.path, "members": list(g.members.values()),
                   **policies_of(g)} for g in self.groups.values()]
        roles = [{"name": r.name, "arn": r.arn, "path": r.path, "max_session_duration": r.max_session,
                  "trust_policy": json.loads(r.trust_policy), "tags": dict(r.tags),
                  **policies_of(r)} for r in self.roles.values()]
        policies = [{"name": p.name, "arn": p.arn, "path": p.path, "attachments": p.attachments}
                    for p in self.policies.values()]
        sessions = [{"access_key_id": s.access_key_id, "kind": s.kind, "arn": s.arn,
                     "issued_to": s.issued_to, "expiration": iso8601(s.expiration),
                     "expired": s.expiration <= now, "session_name": s.session_name,
                     "policy": s.policy or None, "policy_arns": s.policy_arns, "tags": s.tags,
                     "mfa": s.mfa} for s in self.sessions.values()]
        mfa = [{"serial": d.serial, "user": self.users[d.user].name if d.user in self.users else None}
               for d in self.mfa_devices.values()]
        return {"account_id": self.account_id, "users": users, "groups": groups, "roles": roles,
                "policies": policies, "sessions": sessions, "mfa_devices": mfa}
