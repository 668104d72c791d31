"""Identity-based policy evaluation, as IAM does it, for the local endpoint.

Every call is authorized before its handler runs: the caller's policies
(a user's inline and managed policies and its groups' policies; a role's for
an assumed-role session) must allow the action on the resource it acts on,
and no statement may deny it. Session policies (AssumeRole and
GetFederationToken's Policy and PolicyArns) and a user's permissions boundary
narrow that further. The denial is IAM's AccessDenied, in its words.

What is approximated, and how (a test relying on more must model it):
- Condition blocks are not evaluated: an Allow with a Condition never
  applies and a Deny with one always does, so the endpoint errs toward no.
- The AWS-managed policies are summaries (MANAGED_DOCUMENTS below): e.g.
  ReadOnlyAccess allows Get*, List*, Describe* and a few more of every service.
- Resource ARNs follow IAM's service authorization reference for the actions
  the endpoint implements (resource_arn): the user, group, role, policy,
  MFA device or federated user an action acts on; "*" for account-wide lists.
- Resource-based policies other than a role's trust policy (checked by
  AssumeRole itself) do not exist here.
"""

import fnmatch
import json
import re

from model import AwsError

ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def _allow(*actions, not_action=None):
    statement = {"Effect": "Allow", "Resource": "*"}
    if not_action:
        statement["NotAction"] = list(not_action)
    else:
        statement["Action"] = list(actions)
    return {"Version": "2012-10-17", "Statement": [statement]}


_READ = ("*:Get*", "*:List*", "*:Describe*", "*:BatchGet*", "*:Generate*", "*:Simulate*",
         "sts:GetCallerIdentity")

# The AWS-managed policies the endpoint knows, summarized (see above).
MANAGED_DOCUMENTS = {
    "AdministratorAccess": ADMIN,
    "PowerUserAccess": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
        {"Effect": "Allow", "Action": ["iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole",
                                       "iam:ListRoles", "organizations:DescribeOrganization",
                                       "account:ListRegions"], "Resource": "*"}]},
    "ReadOnlyAccess": _allow(*_READ),
    "ViewOnlyAccess": _allow("*:List*", "*:Describe*", "iam:GetAccountSummary", "iam:GetLoginProfile"),
    "SecurityAudit": _allow("*:Get*", "*:List*", "*:Describe*"),
    "IAMFullAccess": _allow("iam:*", "organizations:DescribeAccount", "organizations:ListRoots"),
    "IAMReadOnlyAccess": _allow("iam:Get*", "iam:List*", "iam:GenerateCredentialReport",
                                "iam:GenerateServiceLastAccessedDetails", "iam:SimulateCustomPolicy",
                                "iam:SimulatePrincipalPolicy"),
    "IAMUserChangePassword": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:ChangePassword", "Resource": "arn:aws:iam::*:user/${aws:username}"},
        {"Effect": "Allow", "Action": "iam:GetAccountPasswordPolicy", "Resource": "*"}]},
    "AmazonS3FullAccess": _allow("s3:*", "s3-object-lambda:*"),
    "AmazonS3ReadOnlyAccess": _allow("s3:Get*", "s3:List*", "s3:Describe*"),
    "AmazonEC2FullAccess": _allow("ec2:*", "elasticloadbalancing:*", "cloudwatch:*", "autoscaling:*"),
    "AmazonEC2ReadOnlyAccess": _allow("ec2:Describe*", "elasticloadbalancing:Describe*",
                                      "cloudwatch:ListMetrics", "cloudwatch:GetMetricStatistics",
                                      "cloudwatch:Describe*", "autoscaling:Describe*"),
    "AmazonDynamoDBReadOnlyAccess": _allow("dynamodb:BatchGet*", "dynamodb:Describe*", "dynamodb:Get*",
                                           "dynamodb:List*", "dynamodb:Query", "dynamodb:Scan"),
    "AmazonSQSFullAccess": _allow("sqs:*"),
    "AmazonSNSReadOnlyAccess": _allow("sns:GetTopicAttributes", "sns:List*"),
    "CloudWatchReadOnlyAccess": _allow("cloudwatch:Describe*", "cloudwatch:Get*", "cloudwatch:List*",
                                       "logs:Get*", "logs:List*", "logs:Describe*"),
}

# Actions IAM lets every authenticated caller perform.
_ALWAYS_ALLOWED = {"sts:GetCallerIdentity", "sts:GetSessionToken"}

# IAM actions on the caller itself when UserName is left out.
_SELF_ACTIONS = {"CreateAccessKey", "ListAccessKeys", "DeleteAccessKey", "UpdateAccessKey", "GetUser",
                 "ListMFADevices", "ListSSHPublicKeys", "ListSigningCertificates", "UploadSigningCertificate",
                 "DeleteSigningCertificate", "ListServiceSpecificCredentials", "ListUserTags"}

# Group membership is authorized against the group, not the user.
_GROUP_RESOURCE_ACTIONS = {"AddUserToGroup", "RemoveUserFromGroup"}


def _as_list(value):
    return [value] if isinstance(value, str) else list(value or [])


def _matches(pattern, value, case_insensitive):
    if case_insensitive:
        pattern, value = pattern.lower(), value.lower()
    return fnmatch.fnmatchcase(value, pattern.replace("[", "[[]"))


def _statement_applies(statement, action, resource, username):
    if "Action" in statement:
        if not any(_matches(p, action, True) for p in _as_list(statement["Action"])):
            return False
    elif any(_matches(p, action, True) for p in _as_list(statement.get("NotAction"))):
        return False
    def expand(p):  # the one policy variable the managed policies use
        return p.replace("${aws:username}", username)
    if "Resource" in statement:
        return any(_matches(expand(p), resource, False) for p in _as_list(statement["Resource"]))
    return not any(_matches(expand(p), resource, False) for p in _as_list(statement.get("NotResource")))


def evaluate(documents, action, resource, username=""):
    """"deny", "allow" or None (no statement applies) for `action` on `resource`."""
    allowed = False
    for document in documents:
        policy = json.loads(document) if isinstance(document, str) else document
        statements = policy.get("Statement", [])
        for statement in [statements] if isinstance(statements, dict) else statements:
            conditional = "Condition" in statement
            if statement.get("Effect") == "Deny":
                if _statement_applies(statement, action, resource, username):
                    return "deny"  # an explicit deny wins, conditional or not
            elif not conditional and _statement_applies(statement, action, resource, username):
                allowed = True
    return "allow" if allowed else None


def managed_document(account, arn):
    aws_prefix = "arn:aws:iam::aws:policy/"
    if arn.startswith(aws_prefix):
        return MANAGED_DOCUMENTS.get(arn[len(aws_prefix):].split("/")[-1], {"Statement": []})
    policy = account.policies.get(arn)
    return policy.document if policy else {"Statement": []}


def _holder_documents(account, holder):
    return list(holder.inline.values()) + [managed_document(account, arn) for arn in holder.attached]


def identity_documents(account, user):
    """A user's policies: its own and its groups'."""
    documents = _holder_documents(account, user)
    for group_key in user.groups:
        group = account.groups.get(group_key)
        if group is not None:
            documents += _holder_documents(account, group)
    return documents


def _session_documents(account, session):
    documents = [session.policy] if session.policy else []
    return documents + [managed_document(account, arn) for arn in session.policy_arns]


def _existing_arn(entities, name, fallback):
    entity = entities.get(name.lower())
    return entity.arn if entity is not None else fallback


def resource_arn(account, caller, service, action, params):
    """The ARN `action` acts on, or "*" for account-wide actions."""
    acct = account.account_id
    if service == "sts":
        if action == "AssumeRole":
            return params.get("RoleArn", "*")
        if action == "GetFederationToken":
            return f"arn:aws:sts::{acct}:federated-user/{params.get('Name', '')}"
        return "*"
    if action in _GROUP_RESOURCE_ACTIONS or ("GroupName" in params and "UserName" not in params):
        name = params.get("GroupName", "")
        return _existing_arn(account.groups, name, f"arn:aws:iam::{acct}:group{params.get('Path', '/')}{name}")
    if "UserName" in params:
        name = params["UserName"]
        return _existing_arn(account.users, name, f"arn:aws:iam::{acct}:user{params.get('Path', '/')}{name}")
    if "RoleName" in params:
        name = params["RoleName"]
        return _existing_arn(account.roles, name, f"arn:aws:iam::{acct}:role{params.get('Path', '/')}{name}")
    if action == "CreatePolicy":
        return f"arn:aws:iam::{acct}:policy{params.get('Path', '/')}{params.get('PolicyName', '')}"
    if "PolicyArn" in params:
        return params["PolicyArn"]
    if action == "CreateVirtualMFADevice":
        return f"arn:aws:iam::{acct}:mfa{params.get('Path', '/')}{params.get('VirtualMFADeviceName', '')}"
    if action == "DeleteVirtualMFADevice":
        return params.get("SerialNumber", "*")
    if action == "GetAccessKeyLastUsed":
        key = account.keys.get(params.get("AccessKeyId", ""))
        owner = account.users.get(key.user_name.lower()) if key else None
        return owner.arn if owner else "*"
    if action in _SELF_ACTIONS and caller.user is not None:
        return caller.user.arn
    return "*"


def denied(caller, action, resource, why=None):
    message = f"User: {caller.arn} is not authorized to perform: {action} on resource: {resource}"
    if why:
        message += f" {why}"
    return AwsError(403, "AccessDenied", message)


def _decide(caller_documents, limits, action, resource, username):
    """None when allowed; else the reason IAM gives."""
    decision = evaluate(caller_documents, action, resource, username)
    if decision == "deny":
        return "with an explicit deny in an identity-based policy"
    if decision is None:
        return f"because no identity-based policy allows the {action} action"
    for kind, documents in limits:
        limit = evaluate(documents, action, resource, username)
        if limit == "deny":
            return f"with an explicit deny in a {kind}"
        if limit is None:
            return f"because no {kind} allows the {action} action"
    return None


def authorize_action(account, caller, action, resource):
    """Raises IAM's AccessDenied unless the caller may perform `action` ("iam:X") on `resource`."""
    if action in _ALWAYS_ALLOWED:
        return
    session = caller.session
    limits = []
    username = ""
    if session is None or session.kind == "session-token":
        user = caller.user
        documents = identity_documents(account, user)
        username = user.name
        if user.boundary:
            limits.append(("permissions boundary", [managed_document(account, user.boundary)]))
    elif session.kind == "assumed-role":
        role = account.roles.get(session.role_name.lower())
        documents = _holder_documents(account, role) if role is not None else []
        if session.policy or session.policy_arns:
            limits.append(("session policy", _session_documents(account, session)))
    else:  # federated-user: the issuing user's policies, narrowed by the session policy (none: nothing)
        key = account.keys.get(session.issued_to)
        issuer = account.users.get(key.user_name.lower()) if key else None
        documents = identity_documents(account, issuer) if issuer is not None else []
        limits.append(("session policy", _session_documents(account, session)))
    why = _decide(documents, limits, action, resource, username)
    if why is not None:
        raise denied(caller, action, resource, why)


def authorize(account, caller, service, operation, params):
    """Authorizes one call: the operation itself and, for CreateUser with
    Tags, iam:TagUser on the new user (as IAM requires)."""
    if operation in _SELF_ACTIONS and "UserName" not in params and caller.user is None:
        return  # not an IAM user: the handler's ValidationError, as IAM answers
    resource = resource_arn(account, caller, service, operation, params)
    authorize_action(account, caller, f"{service}:{operation}", resource)
    if operation in ("CreateUser", "CreateRole") and params.get("Tags"):
        authorize_action(account, caller, f"iam:Tag{operation[len('Create'):]}", resource)


SEEDS_ACTIONS = ("iam:AttachUserPolicy", "iam:CreateAccessKey", "iam:CreateUser", "iam:DeleteAccessKey",
                 "iam:DeleteUser", "iam:DeleteUserPolicy", "iam:DetachUserPolicy", "iam:GetUser",
                 "iam:ListAccessKeys", "iam:ListAttachedUserPolicies", "iam:ListGroupsForUser",
                 "iam:ListUserPolicies", "iam:PutUserPolicy", "iam:AddUserToGroup", "iam:RemoveUserFromGroup")


def seeds_policy(account_id, extra_statements=()):
    """The least-privilege policy seeds 001 and 004 give the engine's root user."""
    statement = {"Effect": "Allow", "Action": list(SEEDS_ACTIONS),
                 "Resource": [f"arn:aws:iam::{account_id}:user/vault-*"]}
    return {"Version": "2012-10-17", "Statement": [statement, *extra_statements]}


_NAME = re.compile(r"[\w+=,.@-]{1,64}")


def check_principal_name(name):
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError(f"principal name {name!r} is not an IAM user name")
