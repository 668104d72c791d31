"""The control plane: state dump, fault injection, the call log, settings and reset."""

import json
import threading
import time
import unittest
import urllib.error

import botocore.exceptions

from endpoint_testcase import POLICY, EndpointTestCase


class StateDumpTest(EndpointTestCase):
    def test_dump_shows_what_exists_and_no_secrets(self):
        key = self.new_user_with_key("alice")
        self.iam.put_user_policy(UserName="alice", PolicyName="s3", PolicyDocument=POLICY)
        self.iam.create_group(GroupName="devs")
        self.iam.add_user_to_group(UserName="alice", GroupName="devs")
        self.iam.tag_user(UserName="alice", Tags=[{"Key": "dyncreds-lease", "Value": "aws/creds/r/x"}])
        session = self.sts.get_session_token()["Credentials"]
        state = self.state()
        alice = self.user_state("alice")
        self.assertEqual([k["id"] for k in alice["access_keys"]], [key["AccessKeyId"]])
        self.assertEqual(alice["inline_policies"], {"s3": json.loads(POLICY)})
        self.assertEqual(alice["groups"], ["devs"])
        self.assertEqual(alice["tags"], {"dyncreds-lease": "aws/creds/r/x"})
        self.assertEqual(state["groups"][0]["members"], ["alice"])
        self.assertEqual(state["sessions"][0]["access_key_id"], session["AccessKeyId"])
        text = str(state)
        for secret in (key["SecretAccessKey"], session["SecretAccessKey"], session["SessionToken"],
                       self.endpoint.secret_access_key):
            self.assertNotIn(secret, text)

    def test_reset_keeps_only_the_administrator(self):
        self.new_user_with_key("alice")
        self.admin("POST", "faults", {"action": "GetUser", "fault": "503"})
        self.admin("POST", "reset")
        self.assertEqual([u["name"] for u in self.state()["users"]], ["admin"])
        self.assertEqual(self.admin("GET", "faults")["faults"], [])
        self.assertEqual(self.calls(), [])
        self.iam.get_user()  # the administrator's key still works


class FaultInjectionTest(EndpointTestCase):
    def test_nth_call_of_an_action(self):
        self.admin("POST", "faults", {"action": "CreateUser", "fault": "throttle", "nth": 2})
        self.iam.create_user(UserName="u1")
        self.iam.get_user()  # other actions do not count
        self.assertAwsError("Throttling", self.iam.create_user, UserName="u2", status=400,
                            message="Rate exceeded")
        self.iam.create_user(UserName="u3")
        self.assertEqual(self.admin("GET", "faults")["faults"][0]["hits"], 1)
        self.assertNotIn("u2", [u["name"] for u in self.state()["users"]])

    def test_every_call_and_times(self):
        self.admin("POST", "faults", {"action": "*", "fault": "500", "times": 2})
        self.assertAwsError("ServiceFailure", self.sts.get_caller_identity, status=500)
        response = self.assertAwsError("ServiceFailure", self.iam.get_user, status=500)
        self.assertEqual(response["Error"]["Type"], "Receiver")
        self.iam.get_user()

    def test_service_unavailable(self):
        self.admin("POST", "faults", {"action": "GetUser", "fault": "503"})
        for _ in range(3):
            self.assertAwsError("ServiceUnavailable", self.iam.get_user, status=503)
        self.admin("DELETE", "faults")
        self.iam.get_user()

    def test_probability_is_seeded_and_roughly_right(self):
        self.admin("POST", "faults", {"action": "GetCallerIdentity", "fault": "throttle",
                                      "probability": 0.3})
        failures = 0
        for _ in range(200):
            try:
                self.sts.get_caller_identity()
            except botocore.exceptions.ClientError:
                failures += 1
        self.assertTrue(30 <= failures <= 90, failures)

    def test_drop_closes_the_connection_without_reply(self):
        self.admin("POST", "faults", {"action": "GetUser", "fault": "drop", "nth": 1})
        with self.assertRaises((botocore.exceptions.ConnectionClosedError,
                                botocore.exceptions.EndpointConnectionError)):
            self.iam.get_user()
        self.iam.get_user()
        self.assertEqual([c["fault"] for c in self.calls("GetUser")], ["drop", None])

    def test_after_faults_apply_the_action_then_fail(self):
        self.admin("POST", "faults", {"action": "CreateUser", "fault": "drop", "when": "after"})
        with self.assertRaises(botocore.exceptions.ConnectionClosedError):
            self.iam.create_user(UserName="alice")
        self.assertIn("alice", [u["name"] for u in self.state()["users"]])

    def test_botocore_retries_our_throttling_and_5xx_as_it_would_aws(self):
        self.admin("POST", "faults", {"action": "GetUser", "fault": "throttle", "times": 2})
        self.admin("POST", "faults", {"action": "ListUsers", "fault": "503", "times": 2})
        retrying = self.client("iam", retries=3)
        reply = retrying.get_user()
        self.assertEqual(reply["ResponseMetadata"]["RetryAttempts"], 2)
        self.assertEqual(retrying.list_users()["ResponseMetadata"]["RetryAttempts"], 2)
        self.assertEqual([c["code"] for c in self.calls("GetUser")], ["Throttling", "Throttling", None])

    def test_delay_holds_the_call_until_released(self):
        self.admin("POST", "faults", {"action": "CreateUser", "fault": "delay", "delay_ms": 60000})
        done = threading.Event()
        held = self.client("iam")

        def create():
            held.create_user(UserName="held")
            done.set()
        worker = threading.Thread(target=create)
        started = time.monotonic()
        worker.start()
        self.assertFalse(done.wait(0.3))
        self.assertNotIn("held", [u["name"] for u in self.state()["users"]])
        self.admin("DELETE", "faults")  # releases held calls
        self.assertTrue(done.wait(10))
        worker.join()
        self.assertLess(time.monotonic() - started, 10)
        self.assertIn("held", [u["name"] for u in self.state()["users"]])

    def test_short_delay_then_success(self):
        self.admin("POST", "faults", {"action": "GetUser", "fault": "delay", "delay_ms": 200})
        started = time.monotonic()
        self.iam.get_user()
        self.assertGreaterEqual(time.monotonic() - started, 0.2)

    def test_bad_fault_specs_are_refused(self):
        for spec in ({"fault": "explode"}, {"fault": "delay"}, {"fault": "503", "when": "never"},
                     {"fault": "503", "colour": "red"}):
            with self.assertRaises(urllib.error.HTTPError) as caught:
                self.admin("POST", "faults", spec)
            self.assertEqual(caught.exception.code, 400)


class CallLogTest(EndpointTestCase):
    def test_log_records_action_caller_and_result(self):
        key = self.new_user_with_key("alice")
        self.client_for("sts", key).get_caller_identity()
        self.assertAwsError("NoSuchEntity", self.iam.get_user, UserName="ghost")
        calls = self.calls()
        self.assertEqual([(c["action"], c["status"], c["code"]) for c in calls], [
            ("CreateUser", 200, None), ("CreateAccessKey", 200, None),
            ("GetCallerIdentity", 200, None), ("GetUser", 404, "NoSuchEntity")])
        self.assertEqual(calls[2]["access_key_id"], key["AccessKeyId"])
        self.assertEqual(calls[2]["service"], "sts")
        self.assertEqual([c["seq"] for c in calls], [1, 2, 3, 4])
        self.admin("DELETE", "calls")
        self.assertEqual(self.calls(), [])

    def test_connections_are_counted(self):
        before = self.admin("GET", "connections")["accepted"]
        for _ in range(5):
            self.sts.get_caller_identity()  # one keep-alive connection
        self.assertEqual(self.admin("GET", "connections")["accepted"], before + 2)  # + this query

    def test_unknown_control_is_404(self):
        with self.assertRaises(urllib.error.HTTPError) as caught:
            self.admin("GET", "nothing-here")
        self.assertEqual(caught.exception.code, 404)


class ConcurrencyTest(EndpointTestCase):
    def test_parallel_clients_see_consistent_state(self):
        errors = []

        def work(i):
            try:
                client = self.client("iam")
                client.create_user(UserName=f"p{i}")
                client.create_access_key(UserName=f"p{i}")
            except Exception as error:  # reported below
                errors.append(error)
        threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        users = {u["name"]: u for u in self.state()["users"]}
        self.assertEqual(len(users), 17)
        self.assertTrue(all(len(users[f"p{i}"]["access_keys"]) == 1 for i in range(16)))


if __name__ == "__main__":
    unittest.main()
