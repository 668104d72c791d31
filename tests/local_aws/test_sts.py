"""STS actions of the local endpoint, and the life of the temporary credentials they issue."""

import json
import re
import secrets
import time
import unittest

from endpoint_testcase import POLICY, EndpointTestCase, trust_policy
from iam_actions import totp

ACCOUNT = "123456789012"


class AssumeRoleTest(EndpointTestCase):
    def setUp(self):
        super().setUp()
        self.role_arn = self.iam.create_role(RoleName="deploy", AssumeRolePolicyDocument=trust_policy(),
                                             MaxSessionDuration=7200)["Role"]["Arn"]

    def test_assume_role_issues_working_credentials(self):
        reply = self.sts.assume_role(RoleArn=self.role_arn, RoleSessionName="ci-42",
                                     DurationSeconds=900, Policy=POLICY,
                                     PolicyArns=[{"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}],
                                     Tags=[{"Key": "lease", "Value": "aws/creds/deploy/x"}],
                                     SourceIdentity="alice")
        creds = reply["Credentials"]
        self.assertTrue(re.fullmatch(r"ASIA[A-Z2-7]{16}", creds["AccessKeyId"]))
        self.assertEqual(len(creds["SecretAccessKey"]), 40)
        self.assertGreater(len(creds["SessionToken"]), 100)
        remaining = creds["Expiration"].timestamp() - time.time()
        self.assertTrue(880 < remaining <= 901, remaining)
        self.assertEqual(reply["AssumedRoleUser"]["Arn"],
                         f"arn:aws:sts::{ACCOUNT}:assumed-role/deploy/ci-42")
        self.assertTrue(reply["AssumedRoleUser"]["AssumedRoleId"].endswith(":ci-42"))
        self.assertTrue(1 <= reply["PackedPolicySize"] <= 100)
        self.assertEqual(reply["SourceIdentity"], "alice")

        identity = self.client_for("sts", creds).get_caller_identity()
        self.assertEqual(identity["Arn"], reply["AssumedRoleUser"]["Arn"])
        self.assertEqual(identity["UserId"], reply["AssumedRoleUser"]["AssumedRoleId"])
        session = self.state()["sessions"][0]
        self.assertEqual((session["kind"], session["policy_arns"], session["tags"]),
                         ("assumed-role", ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
                          {"lease": "aws/creds/deploy/x"}))

    def test_duration_limits(self):
        self.assertAwsError("ValidationError", self.sts.assume_role, RoleArn=self.role_arn,
                            RoleSessionName="s", DurationSeconds=900)  # name too short
        self.assertAwsError("ValidationError", self.sts.assume_role, RoleArn=self.role_arn,
                            RoleSessionName="ok", DurationSeconds=899,
                            message="greater than or equal to 900")
        self.assertAwsError("ValidationError", self.sts.assume_role, RoleArn=self.role_arn,
                            RoleSessionName="ok", DurationSeconds=7201,
                            message="exceeds the MaxSessionDuration set for this role")
        default = self.sts.assume_role(RoleArn=self.role_arn, RoleSessionName="ok")["Credentials"]
        self.assertAlmostEqual(default["Expiration"].timestamp() - time.time(), 3600, delta=20)

    def test_role_chaining_is_limited_to_one_hour(self):
        self.iam.create_role(RoleName="second", AssumeRolePolicyDocument=trust_policy(
            f"arn:aws:iam::{ACCOUNT}:role/deploy"), MaxSessionDuration=7200)
        self.iam.put_role_policy(RoleName="deploy", PolicyName="chain", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Resource": f"arn:aws:iam::{ACCOUNT}:role/second"}]}))
        first = self.sts.assume_role(RoleArn=self.role_arn, RoleSessionName="one")["Credentials"]
        chained = self.client_for("sts", first)
        self.assertAwsError("ValidationError", chained.assume_role,
                            RoleArn=f"arn:aws:iam::{ACCOUNT}:role/second", RoleSessionName="two",
                            DurationSeconds=3601, message="role chaining")
        chained.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/second", RoleSessionName="two")

    def test_unknown_role_and_untrusted_caller_are_denied(self):
        self.assertAwsError("AccessDenied", self.sts.assume_role, status=403,
                            RoleArn=f"arn:aws:iam::{ACCOUNT}:role/ghost", RoleSessionName="ok",
                            message="is not authorized to perform: sts:AssumeRole")
        self.iam.create_role(RoleName="other-account",
                             AssumeRolePolicyDocument=trust_policy("arn:aws:iam::999999999999:root"))
        self.assertAwsError("AccessDenied", self.sts.assume_role, RoleSessionName="ok",
                            RoleArn=f"arn:aws:iam::{ACCOUNT}:role/other-account")

    def test_external_id_condition(self):
        arn = self.iam.create_role(RoleName="partner", AssumeRolePolicyDocument=trust_policy(
            condition={"StringEquals": {"sts:ExternalId": "s3cr3t-id"}}))["Role"]["Arn"]
        self.assertAwsError("AccessDenied", self.sts.assume_role, RoleArn=arn, RoleSessionName="ok")
        self.assertAwsError("AccessDenied", self.sts.assume_role, RoleArn=arn, RoleSessionName="ok",
                            ExternalId="wrong-id")
        self.sts.assume_role(RoleArn=arn, RoleSessionName="ok", ExternalId="s3cr3t-id")

    def test_mfa_condition_and_codes(self):
        arn = self.iam.create_role(RoleName="mfa", AssumeRolePolicyDocument=trust_policy(
            condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))["Role"]["Arn"]
        serial, seed = _enable_mfa(self, "admin")
        self.assertAwsError("AccessDenied", self.sts.assume_role, RoleArn=arn, RoleSessionName="ok")
        self.assertAwsError("AccessDenied", self.sts.assume_role, RoleArn=arn, RoleSessionName="ok",
                            SerialNumber=serial, TokenCode=_wrong_code(seed),
                            message="invalid MFA one time pass code")
        self.sts.assume_role(RoleArn=arn, RoleSessionName="ok", SerialNumber=serial,
                             TokenCode=totp(seed, int(time.time() // 30)))
        self.assertTrue(self.state()["sessions"][0]["mfa"])

    def test_session_policy_checks(self):
        self.assertAwsError("MalformedPolicyDocument", self.sts.assume_role, RoleArn=self.role_arn,
                            RoleSessionName="ok", Policy="{nope")
        self.assertAwsError("ValidationError", self.sts.assume_role, RoleArn=self.role_arn,
                            RoleSessionName="ok", Policy="x" * 2049)
        arns = [{"arn": f"arn:aws:iam::aws:policy/P{i:02d}xxxxxxxxxx"} for i in range(11)]
        self.assertAwsError("ValidationError", self.sts.assume_role, RoleArn=self.role_arn,
                            RoleSessionName="ok", PolicyArns=arns)
        big_tags = [{"Key": f"k{i}", "Value": secrets.token_hex(125)} for i in range(30)]
        self.assertAwsError("PackedPolicyTooLarge", self.sts.assume_role, RoleArn=self.role_arn,
                            RoleSessionName="ok", Tags=big_tags)
        self.assertAwsError("InvalidParameterValue", self.sts.assume_role, RoleArn=self.role_arn,
                            RoleSessionName="ok", Tags=[{"Key": "a", "Value": "b"}],
                            TransitiveTagKeys=["c"])


class FederationAndSessionTokenTest(EndpointTestCase):
    def test_federation_token(self):
        key = self.new_user_with_key("broker", allow=["sts:GetFederationToken"])
        reply = self.client_for("sts", key).get_federation_token(
            Name="vault-ci", Policy=POLICY, DurationSeconds=129600)
        self.assertEqual(reply["FederatedUser"]["Arn"], f"arn:aws:sts::{ACCOUNT}:federated-user/vault-ci")
        self.assertEqual(reply["FederatedUser"]["FederatedUserId"], f"{ACCOUNT}:vault-ci")
        self.assertAlmostEqual(reply["Credentials"]["Expiration"].timestamp() - time.time(),
                               129600, delta=20)
        identity = self.client_for("sts", reply["Credentials"]).get_caller_identity()
        self.assertEqual(identity["Arn"], reply["FederatedUser"]["Arn"])
        # Federated credentials are not an IAM user.
        self.assertAwsError("ValidationError", self.client_for("iam", reply["Credentials"]).get_user)

    def test_federation_token_limits(self):
        self.assertAwsError("ValidationError", self.sts.get_federation_token, Name="x" * 33)
        self.assertAwsError("ValidationError", self.sts.get_federation_token, Name="ok",
                            DurationSeconds=129601)
        self.assertAwsError("ValidationError", self.sts.get_federation_token, Name="ok",
                            DurationSeconds=899)
        session = self.sts.get_session_token()["Credentials"]
        self.assertAwsError("AccessDenied", self.client_for("sts", session).get_federation_token,
                            Name="ok", message="session credentials")

    def test_session_token(self):
        key = self.new_user_with_key("alice", allow=["iam:GetUser"])
        creds = self.client_for("sts", key).get_session_token(DurationSeconds=900)["Credentials"]
        self.assertAlmostEqual(creds["Expiration"].timestamp() - time.time(), 900, delta=20)
        as_session = self.client_for("sts", creds)
        self.assertEqual(as_session.get_caller_identity()["Arn"], f"arn:aws:iam::{ACCOUNT}:user/alice")
        self.assertEqual(self.client_for("iam", creds).get_user()["User"]["UserName"], "alice")
        self.assertAwsError("AccessDenied", as_session.get_session_token,
                            message="Cannot call GetSessionToken with session credentials")
        self.assertAwsError("ValidationError", self.sts.get_session_token, DurationSeconds=129601)

    def test_session_token_with_mfa(self):
        serial, seed = _enable_mfa(self, "admin")
        self.assertAwsError("AccessDenied", self.sts.get_session_token, SerialNumber=serial,
                            TokenCode=_wrong_code(seed))
        self.sts.get_session_token(SerialNumber=serial, TokenCode=totp(seed, int(time.time() // 30)))
        self.assertTrue(self.state()["sessions"][0]["mfa"])


class TemporaryCredentialLifetimeTest(EndpointTestCase):
    def test_accepted_until_expiry_then_expired_token(self):
        creds = self.sts.get_session_token(DurationSeconds=900)["Credentials"]
        as_session = self.client_for("sts", creds)
        as_session.get_caller_identity()
        self.advance(899)
        as_session.get_caller_identity()
        self.advance(2)
        self.assertAwsError("ExpiredToken", as_session.get_caller_identity, status=403,
                            message="The security token included in the request is expired")
        self.assertTrue(self.state()["sessions"][0]["expired"])

    def test_session_token_is_required_and_checked(self):
        creds = self.sts.get_session_token()["Credentials"]
        without = self.client("sts", creds["AccessKeyId"], creds["SecretAccessKey"])
        self.assertAwsError("InvalidClientTokenId", without.get_caller_identity, status=403)
        wrong = self.client("sts", creds["AccessKeyId"], creds["SecretAccessKey"],
                            creds["SessionToken"][:-4] + "AAAA")
        self.assertAwsError("InvalidClientTokenId", wrong.get_caller_identity)

    def test_sts_replies_carry_sts_namespace(self):
        raw = self.raw_call("sts", "GetCallerIdentity")
        self.assertTrue(raw.startswith('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'))
        self.assertIn(f"<Account>{ACCOUNT}</Account>", raw)


def _enable_mfa(test, user):
    device = test.iam.create_virtual_mfa_device(VirtualMFADeviceName=f"{user}-mfa")["VirtualMFADevice"]
    seed = device["Base32StringSeed"]
    counter = int(time.time() // 30)
    test.iam.enable_mfa_device(UserName=user, SerialNumber=device["SerialNumber"],
                               AuthenticationCode1=totp(seed, counter - 1),
                               AuthenticationCode2=totp(seed, counter))
    return device["SerialNumber"], seed


def _wrong_code(seed):
    counter = int(time.time() // 30)
    valid = {totp(seed, c) for c in (counter - 1, counter, counter + 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)


if __name__ == "__main__":
    unittest.main()
