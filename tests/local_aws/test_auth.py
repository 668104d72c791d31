"""Authentication by the local endpoint: keys, signatures, time windows, propagation delay."""

import email.utils
import time
import unittest
import urllib.error
import urllib.request

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from endpoint_testcase import EndpointTestCase


class AuthenticationTest(EndpointTestCase):
    def test_unknown_key_id(self):
        stranger = self.client("sts", "AKIAZZZZZZZZZZZZZZZZ", "x" * 40)
        self.assertAwsError("InvalidClientTokenId", stranger.get_caller_identity, status=403,
                            message="The security token included in the request is invalid")

    def test_wrong_secret(self):
        wrong = self.client("iam", self.endpoint.access_key_id, "y" * 40)
        response = self.assertAwsError("SignatureDoesNotMatch", wrong.get_user, status=403)
        self.assertIn("does not match the signature you provided", response["Error"]["Message"])

    def test_tampered_body_fails_the_signature(self):
        # botocore signs one body; we send another with the same headers.
        signed = AWSRequest("POST", self.url + "/", data=b"Action=GetUser&Version=2010-05-08",
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
        SigV4Auth(Credentials(self.endpoint.access_key_id, self.endpoint.secret_access_key),
                  "iam", "us-east-1").add_auth(signed)
        body = b"Action=GetUser&Version=2010-05-08&UserName=x"
        headers = {k: v for k, v in signed.prepare().headers.items() if k != "Content-Length"}
        request = urllib.request.Request(self.url + "/", data=body, method="POST", headers=headers)
        with self.assertRaises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request, timeout=10)
        self.assertEqual(caught.exception.code, 403)
        self.assertIn(b"<Code>SignatureDoesNotMatch</Code>", caught.exception.read())

    def test_missing_authorization(self):
        request = urllib.request.Request(self.url + "/", data=b"Action=GetUser&Version=2010-05-08")
        with self.assertRaises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request, timeout=10)
        self.assertEqual(caught.exception.code, 403)
        self.assertIn(b"<Code>MissingAuthenticationToken</Code>", caught.exception.read())

    def test_request_time_window_is_fifteen_minutes(self):
        self.admin("POST", "settings", {"skew_seconds": 14 * 60})
        self.sts.get_caller_identity()
        self.admin("POST", "settings", {"skew_seconds": 16 * 60})
        self.assertAwsError("SignatureDoesNotMatch", self.sts.get_caller_identity, status=403,
                            message="Signature expired")
        self.admin("POST", "settings", {"skew_seconds": -16 * 60})
        self.assertAwsError("SignatureDoesNotMatch", self.sts.get_caller_identity,
                            message="Signature not yet current")

    def test_date_header_follows_the_skewed_clock(self):
        self.admin("POST", "settings", {"skew_seconds": 3600})
        self.assertAwsError("SignatureDoesNotMatch", self.sts.get_caller_identity)
        # A client that corrects its clock reads the service's time from Date.
        with urllib.request.urlopen(self.url + "/_admin/settings", timeout=10) as reply:
            served = email.utils.parsedate_to_datetime(reply.headers["Date"]).timestamp()
        self.assertAlmostEqual(served - time.time(), 3600, delta=5)

    def test_deleted_and_inactive_keys_are_rejected_at_once(self):
        key = self.new_user_with_key()
        as_alice = self.client_for("sts", key)
        as_alice.get_caller_identity()
        self.iam.update_access_key(UserName="alice", AccessKeyId=key["AccessKeyId"], Status="Inactive")
        self.assertAwsError("InvalidClientTokenId", as_alice.get_caller_identity)
        self.iam.update_access_key(UserName="alice", AccessKeyId=key["AccessKeyId"], Status="Active")
        as_alice.get_caller_identity()
        self.iam.delete_access_key(UserName="alice", AccessKeyId=key["AccessKeyId"])
        self.assertAwsError("InvalidClientTokenId", as_alice.get_caller_identity)

    def test_new_keys_propagate_after_the_configured_delay(self):
        self.admin("POST", "settings", {"key_propagation_seconds": 5})
        key = self.new_user_with_key()
        as_alice = self.client_for("sts", key)
        self.assertAwsError("InvalidClientTokenId", as_alice.get_caller_identity)
        self.advance(5)
        self.assertEqual(as_alice.get_caller_identity()["Arn"], "arn:aws:iam::123456789012:user/alice")

    def test_deleted_keys_keep_working_for_the_configured_delay(self):
        self.admin("POST", "settings", {"deleted_key_seconds": 4})
        key = self.new_user_with_key()
        as_alice = self.client_for("sts", key)
        self.iam.delete_access_key(UserName="alice", AccessKeyId=key["AccessKeyId"])
        self.assertEqual(as_alice.get_caller_identity()["Arn"], "arn:aws:iam::123456789012:user/alice")
        self.iam.delete_user(UserName="alice")  # even the user's deletion has not reached every server yet
        as_alice.get_caller_identity()
        self.advance(4)
        self.assertAwsError("InvalidClientTokenId", as_alice.get_caller_identity)

    def test_the_server_defaults_to_eventual_consistency(self):
        import server
        parsed = []
        real = server.Endpoint

        class Capture(Exception):
            pass

        def capture(*args):
            parsed.append(args)
            raise Capture()
        server.Endpoint = capture
        try:
            with self.assertRaises(Capture):
                server.main([])
        finally:
            server.Endpoint = real
        self.assertEqual(parsed[0][-2:], (1.0, 1.0))  # key propagation, deleted-key delay

    def test_credential_scope_must_name_the_service_and_iam_region(self):
        raw = self.raw_call("sts", "GetUser", version="2010-05-08")
        self.assertIn("InvalidAction", raw)  # an IAM action sent to STS
        raw = self.raw_call("iam", "GetUser", region="eu-west-1")
        self.assertIn("Credential should be scoped to a valid region, not 'eu-west-1'", raw)
        # STS accepts any region in the scope (regional endpoints).
        self.client("sts", region="eu-west-1").get_caller_identity()


if __name__ == "__main__":
    unittest.main()
