"""The endpoint refuses what IAM refuses: identity policies, explicit denies,
resource ARNs per action, iam:TagUser for tagged CreateUser, session
policies, and a partial implementation's faults."""

import json
import unittest

from endpoint_testcase import EndpointTestCase

ACCOUNT = "123456789012"


def document(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


class SeedsPolicyTest(EndpointTestCase):
    """The root user of seeds 001 and 004: 15 IAM actions on user/vault-*."""

    def setUp(self):
        super().setUp()
        self.root = self.admin("POST", "principals", {"name": "vault-root", "seeds_policy": True})
        self.as_root = self.client("iam", self.root["access_key_id"], self.root["secret_access_key"])

    def test_issue_and_revoke_a_user_within_the_policy(self):
        self.as_root.create_user(UserName="vault-token-ro-1")
        self.as_root.attach_user_policy(UserName="vault-token-ro-1",
                                        PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
        key = self.as_root.create_access_key(UserName="vault-token-ro-1")["AccessKey"]
        self.as_root.delete_access_key(UserName="vault-token-ro-1", AccessKeyId=key["AccessKeyId"])
        self.as_root.detach_user_policy(UserName="vault-token-ro-1",
                                        PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
        self.as_root.delete_user(UserName="vault-token-ro-1")
        self.assertEqual([u["name"] for u in self.state()["users"]], ["admin", "vault-root"])

    def test_denials_name_the_action_and_resource_in_iams_words(self):
        self.as_root.create_user(UserName="vault-x")
        for call, action, kwargs in [
                (self.as_root.list_mfa_devices, "iam:ListMFADevices", {"UserName": "vault-x"}),
                (self.as_root.list_ssh_public_keys, "iam:ListSSHPublicKeys", {"UserName": "vault-x"}),
                (self.as_root.list_signing_certificates, "iam:ListSigningCertificates", {"UserName": "vault-x"}),
                (self.as_root.list_service_specific_credentials, "iam:ListServiceSpecificCredentials",
                 {"UserName": "vault-x"}),
                (self.as_root.delete_login_profile, "iam:DeleteLoginProfile", {"UserName": "vault-x"})]:
            error = self.assertAwsError("AccessDenied", call, status=403, **kwargs)
            self.assertEqual(error["Error"]["Message"],
                             f"User: arn:aws:iam::{ACCOUNT}:user/vault-root is not authorized to perform: "
                             f"{action} on resource: arn:aws:iam::{ACCOUNT}:user/vault-x because no "
                             f"identity-based policy allows the {action} action")
            self.assertEqual(error["Error"]["Type"], "Sender")

    def test_users_outside_the_resource_pattern_are_refused(self):
        self.assertAwsError("AccessDenied", self.as_root.create_user, UserName="ops-bob",
                            message=f"iam:CreateUser on resource: arn:aws:iam::{ACCOUNT}:user/ops-bob")
        self.assertAwsError("AccessDenied", self.as_root.list_users, message="on resource: *")

    def test_tags_on_create_user_need_tag_user(self):
        self.assertAwsError("AccessDenied", self.as_root.create_user, UserName="vault-t",
                            Tags=[{"Key": "k", "Value": "v"}], message="iam:TagUser")
        self.assertEqual(len(self.state()["users"]), 2)  # nothing was created
        self.as_root.create_user(UserName="vault-t")  # untagged is allowed

    def test_group_membership_is_checked_against_the_group(self):
        self.iam.create_group(GroupName="readers")
        self.as_root.create_user(UserName="vault-g")
        self.assertAwsError("AccessDenied", self.as_root.add_user_to_group, UserName="vault-g",
                            GroupName="readers",
                            message=f"iam:AddUserToGroup on resource: arn:aws:iam::{ACCOUNT}:group/readers")
        wider = self.admin("POST", "principals", {
            "name": "vault-root2", "seeds_policy": True,
            "statements": [{"Effect": "Allow", "Action": ["iam:AddUserToGroup", "iam:RemoveUserFromGroup"],
                            "Resource": f"arn:aws:iam::{ACCOUNT}:group/readers"}]})
        as_wider = self.client("iam", wider["access_key_id"], wider["secret_access_key"])
        as_wider.add_user_to_group(UserName="vault-g", GroupName="readers")
        as_wider.remove_user_from_group(UserName="vault-g", GroupName="readers")


class EvaluationTest(EndpointTestCase):
    def user(self, name, *statements, groups=()):
        self.iam.create_user(UserName=name)
        if statements:
            self.iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=document(*statements))
        for group in groups:
            self.iam.add_user_to_group(UserName=name, GroupName=group)
        key = self.iam.create_access_key(UserName=name)["AccessKey"]
        return self.client("iam", key["AccessKeyId"], key["SecretAccessKey"])

    def test_explicit_deny_wins_over_any_allow(self):
        client = self.user("bob", {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
                           {"Effect": "Deny", "Action": "iam:DeleteUser", "Resource": "*"})
        client.create_user(UserName="victim")
        self.assertAwsError("AccessDenied", client.delete_user, UserName="victim",
                            message="with an explicit deny in an identity-based policy")

    def test_actions_match_case_insensitively_with_wildcards(self):
        client = self.user("bob", {"Effect": "Allow", "Action": "IAM:list*", "Resource": "*"})
        client.list_users()
        self.assertAwsError("AccessDenied", client.create_user, UserName="x")

    def test_not_action_and_not_resource(self):
        client = self.user("bob", {"Effect": "Allow", "NotAction": "iam:CreateUser", "Resource": "*"},
                           {"Effect": "Allow", "Action": "iam:CreateUser",
                            "NotResource": f"arn:aws:iam::{ACCOUNT}:user/admin*"})
        client.create_user(UserName="fine")
        self.assertAwsError("AccessDenied", client.create_user, UserName="admin2")

    def test_group_and_managed_policies_count(self):
        self.iam.create_group(GroupName="ro")
        self.iam.attach_group_policy(GroupName="ro", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
        client = self.user("carol", groups=["ro"])
        client.list_users()
        client.get_user(UserName="admin")
        self.assertAwsError("AccessDenied", client.create_user, UserName="x",
                            message="because no identity-based policy allows the iam:CreateUser action")

    def test_read_only_access_reads_but_cannot_write(self):
        self.iam.create_user(UserName="reader")
        self.iam.attach_user_policy(UserName="reader", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
        key = self.iam.create_access_key(UserName="reader")["AccessKey"]
        client = self.client("iam", key["AccessKeyId"], key["SecretAccessKey"])
        client.list_users()
        self.assertAwsError("AccessDenied", client.create_user, UserName="x")

    def test_conditional_allow_does_not_apply(self):
        client = self.user("dave", {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*",
                                    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}})
        self.assertAwsError("AccessDenied", client.list_users)

    def test_permissions_boundary_narrows(self):
        self.iam.create_user(UserName="erin", PermissionsBoundary="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
        self.iam.attach_user_policy(UserName="erin", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
        key = self.iam.create_access_key(UserName="erin")["AccessKey"]
        client = self.client("iam", key["AccessKeyId"], key["SecretAccessKey"])
        client.list_users()
        self.assertAwsError("AccessDenied", client.create_user, UserName="x", message="permissions boundary")

    def test_assume_role_needs_the_callers_permission_and_session_policy_narrows(self):
        trust = document({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                          "Action": "sts:AssumeRole"})
        role = self.iam.create_role(RoleName="ro", AssumeRolePolicyDocument=trust)["Role"]
        self.iam.attach_role_policy(RoleName="ro", PolicyArn="arn:aws:iam::aws:policy/IAMFullAccess")
        self.user("nobody")
        key = self.iam.create_access_key(UserName="nobody")["AccessKey"]
        sts = self.client("sts", key["AccessKeyId"], key["SecretAccessKey"])
        self.assertAwsError("AccessDenied", sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s1",
                            message=f"sts:AssumeRole on resource: {role['Arn']}")
        creds = self.sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1", Policy=document(
            {"Effect": "Allow", "Action": "iam:List*", "Resource": "*"}))["Credentials"]
        session = self.client_for("iam", creds)
        session.list_users()
        self.assertAwsError("AccessDenied", session.create_user, UserName="x", message="session policy")

    def test_federated_user_without_a_policy_has_no_permissions(self):
        creds = self.sts.get_federation_token(Name="fed")["Credentials"]
        self.assertAwsError("AccessDenied", self.client_for("iam", creds).list_users,
                            message=f"arn:aws:sts::{ACCOUNT}:federated-user/fed is not authorized")
        creds = self.sts.get_federation_token(Name="fed", Policy=document(
            {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}))["Credentials"]
        self.client_for("iam", creds).list_users()


class PartialImplementationFaultTest(EndpointTestCase):
    def test_html_500_and_501(self):
        self.admin("POST", "faults", {"action": "ListMFADevices", "fault": "html500"})
        self.admin("POST", "faults", {"action": "ListSSHPublicKeys", "fault": "501"})
        self.iam.create_user(UserName="u")
        page = self.raw_call("iam", "ListMFADevices", UserName="u")
        self.assertTrue(page.startswith("<!DOCTYPE html>"), page)
        self.assertIn("<Code>NotImplemented</Code>", self.raw_call("iam", "ListSSHPublicKeys", UserName="u"))
        self.assertEqual([c["status"] for c in self.calls("ListSSHPublicKeys")], [501])


if __name__ == "__main__":
    unittest.main()
