"""IAM actions of the local endpoint, driven through botocore's IAM client."""

import base64
import json
import re
import time
import unittest

from endpoint_testcase import POLICY, EndpointTestCase, trust_policy
from iam_actions import totp

BOUNDARY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
SSH_KEY = "ssh-rsa " + base64.b64encode(b"\x00\x00\x00\x07ssh-rsa" + bytes(range(200))).decode() + " me@host"
CERT = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUEXAMPLE\n-----END CERTIFICATE-----"


class UserTest(EndpointTestCase):
    def test_create_get_and_tag_user(self):
        created = self.iam.create_user(UserName="alice", Path="/dyncreds/",
                                       PermissionsBoundary=BOUNDARY,
                                       Tags=[{"Key": "team", "Value": "infra"}])["User"]
        self.assertEqual(created["Arn"], "arn:aws:iam::123456789012:user/dyncreds/alice")
        self.assertTrue(re.fullmatch(r"AIDA[A-Z2-7]{17}", created["UserId"]))
        self.assertEqual(created["PermissionsBoundary"]["PermissionsBoundaryArn"], BOUNDARY)
        got = self.iam.get_user(UserName="alice")["User"]
        self.assertEqual(got["UserId"], created["UserId"])
        self.assertEqual(got["Tags"], [{"Key": "team", "Value": "infra"}])

        self.iam.tag_user(UserName="alice", Tags=[{"Key": "lease", "Value": "aws/creds/r/1"},
                                                  {"Key": "team", "Value": "sec"}])
        tags = self.iam.list_user_tags(UserName="alice")["Tags"]
        self.assertEqual(tags, [{"Key": "lease", "Value": "aws/creds/r/1"},
                                {"Key": "team", "Value": "sec"}])
        self.iam.untag_user(UserName="alice", TagKeys=["team"])
        self.assertEqual(self.user_state("alice")["tags"], {"lease": "aws/creds/r/1"})

    def test_get_user_without_name_is_the_caller(self):
        self.assertEqual(self.iam.get_user()["User"]["UserName"], "admin")
        key = self.new_user_with_key("bob", allow=["iam:GetUser"])
        self.assertEqual(self.client_for("iam", key).get_user()["User"]["UserName"], "bob")

    def test_names_are_checked_and_unique_regardless_of_case(self):
        self.iam.create_user(UserName="Alice")
        self.assertAwsError("EntityAlreadyExists", self.iam.create_user, UserName="alice",
                            status=409, message="User with name alice already exists.")
        for bad in ("a b", "x" * 65, "semi;colon"):
            self.assertAwsError("ValidationError", self.iam.create_user, UserName=bad, status=400)
        self.iam.create_user(UserName="y" * 64)
        self.iam.create_user(UserName="a+=,.@_-9")
        self.assertAwsError("ValidationError", self.iam.create_user, UserName="p", Path="no-slash")

    def test_unknown_user_gives_no_such_entity(self):
        response = self.assertAwsError("NoSuchEntity", self.iam.get_user, UserName="ghost", status=404)
        self.assertEqual(response["Error"]["Message"], "The user with name ghost cannot be found.")
        self.assertEqual(response["Error"]["Type"], "Sender")
        self.assertAwsError("NoSuchEntity", self.iam.delete_user, UserName="ghost")

    def test_list_users_paginates_and_filters_by_path(self):
        for i in range(7):
            self.iam.create_user(UserName=f"u{i}", Path="/app/" if i % 2 else "/")
        page = self.iam.list_users(MaxItems=3)
        self.assertTrue(page["IsTruncated"])
        names = [u["UserName"] for u in page["Users"]]
        while page["IsTruncated"]:
            page = self.iam.list_users(MaxItems=3, Marker=page["Marker"])
            names += [u["UserName"] for u in page["Users"]]
        self.assertEqual(names, ["admin"] + [f"u{i}" for i in range(7)])
        app = self.iam.list_users(PathPrefix="/app/")["Users"]
        self.assertEqual([u["UserName"] for u in app], ["u1", "u3", "u5"])
        # Pages may be shorter than MaxItems asks (IAM documents this).
        self.admin("POST", "settings", {"max_page_items": 2})
        short = self.iam.list_users(MaxItems=100)
        self.assertEqual((len(short["Users"]), short["IsTruncated"]), (2, True))
        self.admin("POST", "settings", {"max_page_items": 0})
        # botocore's paginator agrees with our markers.
        paginated = [u["UserName"] for p in self.iam.get_paginator("list_users").paginate(
            PaginationConfig={"PageSize": 2}) for u in p["Users"]]
        self.assertEqual(paginated, names)

    def test_delete_user_is_blocked_by_everything_attached(self):
        self.iam.create_user(UserName="alice")
        self.iam.create_group(GroupName="devs")
        serial = self.iam.create_virtual_mfa_device(VirtualMFADeviceName="alice-mfa")["VirtualMFADevice"]
        code1, code2 = _consecutive_codes(serial["Base32StringSeed"])
        setups_and_undos = [
            ("delete access keys",
             lambda: self.iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"],
             lambda k: self.iam.delete_access_key(UserName="alice", AccessKeyId=k)),
            ("detach all policies",
             lambda: self.iam.attach_user_policy(UserName="alice", PolicyArn=BOUNDARY),
             lambda _: self.iam.detach_user_policy(UserName="alice", PolicyArn=BOUNDARY)),
            ("delete policies",
             lambda: self.iam.put_user_policy(UserName="alice", PolicyName="p", PolicyDocument=POLICY),
             lambda _: self.iam.delete_user_policy(UserName="alice", PolicyName="p")),
            ("remove user from all groups",
             lambda: self.iam.add_user_to_group(UserName="alice", GroupName="devs"),
             lambda _: self.iam.remove_user_from_group(UserName="alice", GroupName="devs")),
            ("delete login profile",
             lambda: self.iam.create_login_profile(UserName="alice", Password="correct-horse-1"),
             lambda _: self.iam.delete_login_profile(UserName="alice")),
            ("delete MFA device",
             lambda: self.iam.enable_mfa_device(UserName="alice", SerialNumber=serial["SerialNumber"],
                                                AuthenticationCode1=code1, AuthenticationCode2=code2),
             lambda _: self.iam.deactivate_mfa_device(UserName="alice", SerialNumber=serial["SerialNumber"])),
            ("delete SSH public keys",
             lambda: self.iam.upload_ssh_public_key(UserName="alice", SSHPublicKeyBody=SSH_KEY)["SSHPublicKey"]["SSHPublicKeyId"],
             lambda k: self.iam.delete_ssh_public_key(UserName="alice", SSHPublicKeyId=k)),
            ("delete signing certificates",
             lambda: self.iam.upload_signing_certificate(UserName="alice", CertificateBody=CERT)["Certificate"]["CertificateId"],
             lambda c: self.iam.delete_signing_certificate(UserName="alice", CertificateId=c)),
            ("delete service-specific credentials",
             lambda: self.iam.create_service_specific_credential(UserName="alice", ServiceName="codecommit.amazonaws.com")["ServiceSpecificCredential"]["ServiceSpecificCredentialId"],
             lambda c: self.iam.delete_service_specific_credential(UserName="alice", ServiceSpecificCredentialId=c)),
        ]
        for what, setup, undo in setups_and_undos:
            with self.subTest(what):
                handle = setup()
                self.assertAwsError("DeleteConflict", self.iam.delete_user, UserName="alice",
                                    status=409, message=f"must {what} first")
                undo(handle)
        self.iam.delete_user(UserName="alice")
        self.assertNotIn("alice", [u["name"] for u in self.state()["users"]])


class AccessKeyTest(EndpointTestCase):
    def test_keys_have_aws_shapes_and_a_quota_of_two(self):
        self.iam.create_user(UserName="alice")
        first = self.iam.create_access_key(UserName="alice")["AccessKey"]
        self.assertTrue(re.fullmatch(r"AKIA[A-Z2-7]{16}", first["AccessKeyId"]))
        self.assertEqual(len(first["SecretAccessKey"]), 40)
        self.iam.create_access_key(UserName="alice")
        self.assertAwsError("LimitExceeded", self.iam.create_access_key, UserName="alice",
                            status=409, message="AccessKeysPerUser: 2")
        listed = self.iam.list_access_keys(UserName="alice")["AccessKeyMetadata"]
        self.assertEqual(len(listed), 2)
        self.assertNotIn("SecretAccessKey", listed[0])

    def test_update_and_delete(self):
        key = self.new_user_with_key()
        self.iam.update_access_key(UserName="alice", AccessKeyId=key["AccessKeyId"], Status="Inactive")
        self.assertEqual(self.user_state("alice")["access_keys"][0]["status"], "Inactive")
        self.assertAwsError("ValidationError", self.iam.update_access_key, UserName="alice",
                            AccessKeyId=key["AccessKeyId"], Status="Paused")
        self.iam.delete_access_key(UserName="alice", AccessKeyId=key["AccessKeyId"])
        self.assertAwsError("NoSuchEntity", self.iam.delete_access_key, UserName="alice",
                            AccessKeyId=key["AccessKeyId"],
                            message=f"The Access Key with id {key['AccessKeyId']} cannot be found.")

    def test_key_of_another_user_is_not_found(self):
        key = self.new_user_with_key("alice")
        self.iam.create_user(UserName="bob")
        self.assertAwsError("NoSuchEntity", self.iam.delete_access_key, UserName="bob",
                            AccessKeyId=key["AccessKeyId"])

    def test_last_used(self):
        key = self.new_user_with_key()
        self.assertNotIn("LastUsedDate", self.iam.get_access_key_last_used(
            AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"])
        self.client_for("sts", key).get_caller_identity()
        self.assertIn("LastUsedDate", self.iam.get_access_key_last_used(
            AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"])


class PolicyTest(EndpointTestCase):
    def test_attach_detach_and_list_with_pagination(self):
        self.iam.create_user(UserName="alice")
        arns = [f"arn:aws:iam::aws:policy/{n}" for n in
                ("ReadOnlyAccess", "SecurityAudit", "ViewOnlyAccess", "IAMReadOnlyAccess")]
        for arn in arns:
            self.iam.attach_user_policy(UserName="alice", PolicyArn=arn)
        self.iam.attach_user_policy(UserName="alice", PolicyArn=arns[0])  # again: no change
        page = self.iam.list_attached_user_policies(UserName="alice", MaxItems=3)
        self.assertTrue(page["IsTruncated"])
        rest = self.iam.list_attached_user_policies(UserName="alice", Marker=page["Marker"])
        listed = [p["PolicyArn"] for p in page["AttachedPolicies"] + rest["AttachedPolicies"]]
        self.assertEqual(sorted(listed), sorted(arns))
        for attached in page["AttachedPolicies"] + rest["AttachedPolicies"]:
            self.assertEqual(attached["PolicyName"], attached["PolicyArn"].rsplit("/", 1)[1])
        self.iam.detach_user_policy(UserName="alice", PolicyArn=arns[1])
        self.assertAwsError("NoSuchEntity", self.iam.detach_user_policy, UserName="alice",
                            PolicyArn=arns[1])
        self.assertEqual(len(self.user_state("alice")["attached_policies"]), 3)

    def test_unknown_or_malformed_policy_arn(self):
        self.iam.create_user(UserName="alice")
        self.assertAwsError("NoSuchEntity", self.iam.attach_user_policy, UserName="alice",
                            PolicyArn="arn:aws:iam::aws:policy/NoSuchPolicy",
                            message="does not exist or is not attachable")
        self.assertAwsError("InvalidInput", self.iam.attach_user_policy, UserName="alice",
                            PolicyArn="arn:aws:s3:::bucket-not-a-policy")

    def test_managed_policy_quota(self):
        self.iam.create_user(UserName="alice")
        for i in range(10):
            arn = self.iam.create_policy(PolicyName=f"p{i}", PolicyDocument=POLICY)["Policy"]["Arn"]
            self.iam.attach_user_policy(UserName="alice", PolicyArn=arn)
        arn = self.iam.create_policy(PolicyName="p10", PolicyDocument=POLICY)["Policy"]["Arn"]
        self.assertAwsError("LimitExceeded", self.iam.attach_user_policy, UserName="alice", PolicyArn=arn)

    def test_customer_managed_policies(self):
        created = self.iam.create_policy(PolicyName="reader", Path="/team/", PolicyDocument=POLICY,
                                         Description="reads")["Policy"]
        self.assertEqual(created["Arn"], "arn:aws:iam::123456789012:policy/team/reader")
        self.assertAwsError("EntityAlreadyExists", self.iam.create_policy, PolicyName="Reader",
                            PolicyDocument=POLICY)
        self.assertAwsError("MalformedPolicyDocument", self.iam.create_policy, PolicyName="bad",
                            PolicyDocument="{not json")
        self.iam.create_user(UserName="alice")
        self.iam.attach_user_policy(UserName="alice", PolicyArn=created["Arn"])
        self.assertEqual(self.iam.get_policy(PolicyArn=created["Arn"])["Policy"]["AttachmentCount"], 1)
        self.assertAwsError("DeleteConflict", self.iam.delete_policy, PolicyArn=created["Arn"])
        local = self.iam.list_policies(Scope="Local")["Policies"]
        self.assertEqual([p["Arn"] for p in local], [created["Arn"]])
        self.assertIn("arn:aws:iam::aws:policy/ReadOnlyAccess",
                      [p["Arn"] for p in self.iam.list_policies(Scope="AWS", MaxItems=1000)["Policies"]])
        self.iam.detach_user_policy(UserName="alice", PolicyArn=created["Arn"])
        self.iam.delete_policy(PolicyArn=created["Arn"])
        self.assertAwsError("NoSuchEntity", self.iam.get_policy, PolicyArn=created["Arn"])

    def test_inline_user_policies(self):
        self.iam.create_user(UserName="alice")
        self.iam.put_user_policy(UserName="alice", PolicyName="s3", PolicyDocument=POLICY)
        got = self.iam.get_user_policy(UserName="alice", PolicyName="s3")
        self.assertEqual(got["PolicyDocument"], json.loads(POLICY))  # botocore URL-decodes it
        self.assertEqual(self.iam.list_user_policies(UserName="alice")["PolicyNames"], ["s3"])
        self.assertAwsError("NoSuchEntity", self.iam.get_user_policy, UserName="alice",
                            PolicyName="other", message="The user policy with name other cannot be found.")
        for bad in ("{", "[]", '{"Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]}',
                    '{"Version": "2013-01-01", "Statement": []}'):
            self.assertAwsError("MalformedPolicyDocument", self.iam.put_user_policy, UserName="alice",
                                PolicyName="bad", PolicyDocument=bad)
        self.iam.delete_user_policy(UserName="alice", PolicyName="s3")
        self.assertEqual(self.iam.list_user_policies(UserName="alice")["PolicyNames"], [])

    def test_inline_policy_size_limit_counts_all_policies_without_whitespace(self):
        self.iam.create_user(UserName="alice")

        def policy(size):
            base = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::%s"}]}'
            return base % ("x" * (size - len(base % "")))
        self.iam.put_user_policy(UserName="alice", PolicyName="a", PolicyDocument=policy(1000))
        spaced = policy(1048).replace(",", ",     \n")  # whitespace does not count
        self.iam.put_user_policy(UserName="alice", PolicyName="b", PolicyDocument=spaced)
        self.assertAwsError("LimitExceeded", self.iam.put_user_policy, UserName="alice",
                            PolicyName="c", PolicyDocument=policy(200),
                            message="Maximum policy size of 2048 bytes exceeded for user alice")
        # Replacing a policy counts its new size, not both.
        self.iam.put_user_policy(UserName="alice", PolicyName="b", PolicyDocument=policy(1000))

    def test_policy_document_is_url_encoded_on_the_wire(self):
        self.iam.create_user(UserName="alice")
        self.iam.put_user_policy(UserName="alice", PolicyName="s3", PolicyDocument=POLICY)
        raw = self.raw_call("iam", "GetUserPolicy", UserName="alice", PolicyName="s3")
        self.assertIn("<PolicyDocument>%7B%22Version%22%3A%20%222012-10-17%22", raw)


class GroupTest(EndpointTestCase):
    def test_membership_and_listing(self):
        self.iam.create_user(UserName="alice")
        for g in ("b-devs", "a-ops", "c-sec"):
            self.iam.create_group(GroupName=g, Path="/teams/")
        self.assertAwsError("EntityAlreadyExists", self.iam.create_group, GroupName="A-OPS")
        self.assertAwsError("NoSuchEntity", self.iam.add_user_to_group, UserName="alice",
                            GroupName="nope", message="The group with name nope cannot be found.")
        for g in ("b-devs", "a-ops", "c-sec"):
            self.iam.add_user_to_group(UserName="alice", GroupName=g)
        page = self.iam.list_groups_for_user(UserName="alice", MaxItems=2)
        rest = self.iam.list_groups_for_user(UserName="alice", Marker=page["Marker"])
        self.assertEqual([g["GroupName"] for g in page["Groups"] + rest["Groups"]],
                         ["a-ops", "b-devs", "c-sec"])
        self.assertFalse(rest["IsTruncated"])
        self.assertEqual(self.iam.get_group(GroupName="a-ops")["Users"][0]["UserName"], "alice")
        self.assertAwsError("DeleteConflict", self.iam.delete_group, GroupName="a-ops")
        self.iam.remove_user_from_group(UserName="alice", GroupName="a-ops")
        self.assertAwsError("NoSuchEntity", self.iam.remove_user_from_group, UserName="alice",
                            GroupName="a-ops")
        self.iam.delete_group(GroupName="a-ops")
        self.assertEqual(self.user_state("alice")["groups"], ["b-devs", "c-sec"])

    def test_groups_per_user_quota(self):
        self.iam.create_user(UserName="alice")
        for i in range(10):
            self.iam.create_group(GroupName=f"g{i}")
            self.iam.add_user_to_group(UserName="alice", GroupName=f"g{i}")
        self.iam.create_group(GroupName="g10")
        self.assertAwsError("LimitExceeded", self.iam.add_user_to_group, UserName="alice", GroupName="g10")

    def test_group_policies(self):
        self.iam.create_group(GroupName="devs")
        self.iam.put_group_policy(GroupName="devs", PolicyName="s3", PolicyDocument=POLICY)
        self.assertEqual(self.iam.get_group_policy(GroupName="devs", PolicyName="s3")["PolicyDocument"],
                         json.loads(POLICY))
        self.assertEqual(self.iam.list_group_policies(GroupName="devs")["PolicyNames"], ["s3"])
        self.iam.attach_group_policy(GroupName="devs", PolicyArn=BOUNDARY)
        self.assertEqual(self.iam.list_attached_group_policies(GroupName="devs")["AttachedPolicies"],
                         [{"PolicyName": "ReadOnlyAccess", "PolicyArn": BOUNDARY}])
        self.assertAwsError("DeleteConflict", self.iam.delete_group, GroupName="devs")
        self.iam.delete_group_policy(GroupName="devs", PolicyName="s3")
        self.iam.detach_group_policy(GroupName="devs", PolicyArn=BOUNDARY)
        self.iam.delete_group(GroupName="devs")


class UserCredentialsTest(EndpointTestCase):
    """Login profiles, MFA devices, SSH keys, signing certificates, service credentials."""

    def setUp(self):
        super().setUp()
        self.iam.create_user(UserName="alice")

    def test_login_profile(self):
        self.iam.create_login_profile(UserName="alice", Password="correct-horse-1",
                                      PasswordResetRequired=True)
        self.assertTrue(self.iam.get_login_profile(UserName="alice")["LoginProfile"]["PasswordResetRequired"])
        self.assertAwsError("EntityAlreadyExists", self.iam.create_login_profile, UserName="alice",
                            Password="correct-horse-2")
        self.iam.delete_login_profile(UserName="alice")
        self.assertAwsError("NoSuchEntity", self.iam.get_login_profile, UserName="alice")

    def test_virtual_mfa_device(self):
        device = self.iam.create_virtual_mfa_device(VirtualMFADeviceName="phone")["VirtualMFADevice"]
        self.assertEqual(device["SerialNumber"], "arn:aws:iam::123456789012:mfa/phone")
        self.assertAwsError("InvalidAuthenticationCode", self.iam.enable_mfa_device, UserName="alice",
                            SerialNumber=device["SerialNumber"], AuthenticationCode1="000000",
                            AuthenticationCode2="000000")
        code1, code2 = _consecutive_codes(device["Base32StringSeed"])
        self.iam.enable_mfa_device(UserName="alice", SerialNumber=device["SerialNumber"],
                                   AuthenticationCode1=code1, AuthenticationCode2=code2)
        listed = self.iam.list_mfa_devices(UserName="alice")["MFADevices"]
        self.assertEqual([d["SerialNumber"] for d in listed], [device["SerialNumber"]])
        self.assertAwsError("DeleteConflict", self.iam.delete_virtual_mfa_device,
                            SerialNumber=device["SerialNumber"])
        self.iam.deactivate_mfa_device(UserName="alice", SerialNumber=device["SerialNumber"])
        self.assertEqual(self.iam.list_mfa_devices(UserName="alice")["MFADevices"], [])
        self.iam.delete_virtual_mfa_device(SerialNumber=device["SerialNumber"])

    def test_ssh_public_keys(self):
        uploaded = self.iam.upload_ssh_public_key(UserName="alice", SSHPublicKeyBody=SSH_KEY)["SSHPublicKey"]
        self.assertTrue(uploaded["SSHPublicKeyId"].startswith("APKA"))
        self.assertAwsError("DuplicateSSHPublicKey", self.iam.upload_ssh_public_key,
                            UserName="alice", SSHPublicKeyBody=SSH_KEY)
        self.assertAwsError("UnrecognizedPublicKeyEncoding", self.iam.upload_ssh_public_key,
                            UserName="alice", SSHPublicKeyBody="not a key")
        self.assertEqual([k["SSHPublicKeyId"] for k in self.iam.list_ssh_public_keys(UserName="alice")["SSHPublicKeys"]],
                         [uploaded["SSHPublicKeyId"]])
        self.iam.delete_ssh_public_key(UserName="alice", SSHPublicKeyId=uploaded["SSHPublicKeyId"])
        self.assertAwsError("NoSuchEntity", self.iam.delete_ssh_public_key, UserName="alice",
                            SSHPublicKeyId=uploaded["SSHPublicKeyId"])

    def test_signing_certificates(self):
        cert = self.iam.upload_signing_certificate(UserName="alice", CertificateBody=CERT)["Certificate"]
        self.assertAwsError("MalformedCertificate", self.iam.upload_signing_certificate,
                            UserName="alice", CertificateBody="garbage")
        self.assertEqual(len(self.iam.list_signing_certificates(UserName="alice")["Certificates"]), 1)
        self.iam.delete_signing_certificate(UserName="alice", CertificateId=cert["CertificateId"])
        self.assertEqual(self.iam.list_signing_certificates(UserName="alice")["Certificates"], [])

    def test_service_specific_credentials(self):
        cred = self.iam.create_service_specific_credential(
            UserName="alice", ServiceName="codecommit.amazonaws.com")["ServiceSpecificCredential"]
        self.assertTrue(cred["ServicePassword"])
        self.assertAwsError("NotSupportedService", self.iam.create_service_specific_credential,
                            UserName="alice", ServiceName="s3.amazonaws.com")
        listed = self.iam.list_service_specific_credentials(UserName="alice")["ServiceSpecificCredentials"]
        self.assertEqual([c["ServiceSpecificCredentialId"] for c in listed], [cred["ServiceSpecificCredentialId"]])
        self.assertNotIn("ServicePassword", listed[0])
        self.iam.delete_service_specific_credential(
            UserName="alice", ServiceSpecificCredentialId=cred["ServiceSpecificCredentialId"])
        self.assertEqual(self.user_state("alice")["service_specific_credentials"], [])


class RoleTest(EndpointTestCase):
    def test_role_lifecycle(self):
        role = self.iam.create_role(RoleName="deploy", AssumeRolePolicyDocument=trust_policy(),
                                    MaxSessionDuration=7200, Description="deploys")["Role"]
        self.assertEqual(role["Arn"], "arn:aws:iam::123456789012:role/deploy")
        self.assertEqual(self.iam.get_role(RoleName="deploy")["Role"]["MaxSessionDuration"], 7200)
        self.assertEqual(self.iam.get_role(RoleName="deploy")["Role"]["AssumeRolePolicyDocument"],
                         json.loads(trust_policy()))
        self.assertAwsError("EntityAlreadyExists", self.iam.create_role, RoleName="Deploy",
                            AssumeRolePolicyDocument=trust_policy())
        self.assertAwsError("ValidationError", self.iam.create_role, RoleName="long",
                            AssumeRolePolicyDocument=trust_policy(), MaxSessionDuration=50000)
        self.assertAwsError("MalformedPolicyDocument", self.iam.create_role, RoleName="noprincipal",
                            AssumeRolePolicyDocument=POLICY)
        self.iam.put_role_policy(RoleName="deploy", PolicyName="s3", PolicyDocument=POLICY)
        self.assertEqual(self.iam.list_role_policies(RoleName="deploy")["PolicyNames"], ["s3"])
        self.assertEqual(self.iam.get_role_policy(RoleName="deploy", PolicyName="s3")["PolicyDocument"],
                         json.loads(POLICY))
        self.assertAwsError("DeleteConflict", self.iam.delete_role, RoleName="deploy")
        self.iam.delete_role_policy(RoleName="deploy", PolicyName="s3")
        self.iam.delete_role(RoleName="deploy")
        self.assertAwsError("NoSuchEntity", self.iam.get_role, RoleName="deploy",
                            message="The role with name deploy cannot be found.")


class WireFormatTest(EndpointTestCase):
    def test_replies_carry_iam_namespace_and_request_id(self):
        raw = self.raw_call("iam", "GetUser")
        self.assertTrue(raw.startswith('<GetUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'))
        self.assertRegex(raw, r"<ResponseMetadata><RequestId>[0-9a-f-]{36}</RequestId></ResponseMetadata>")
        error = self.raw_call("iam", "GetUser", UserName="ghost")
        self.assertRegex(error, r'^<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
                                r'<Error><Type>Sender</Type><Code>NoSuchEntity</Code>')

    def test_unknown_action_and_version(self):
        raw = self.raw_call("iam", "MakeCoffee")
        self.assertIn("<Code>InvalidAction</Code>", raw)
        raw = self.raw_call("iam", "GetUser", version="2000-01-01")
        self.assertIn("Could not find operation GetUser for version 2000-01-01", raw)

    def test_missing_required_parameter(self):
        raw = self.raw_call("iam", "CreateUser")
        self.assertIn("<Code>ValidationError</Code>", raw)
        self.assertIn("Value null at 'userName' failed to satisfy constraint: "
                      "Member must not be null", raw)


def _consecutive_codes(seed):
    counter = int(time.time() // 30)
    return totp(seed, counter - 1), totp(seed, counter)



if __name__ == "__main__":
    unittest.main()
