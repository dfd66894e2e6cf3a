#!/usr/bin/env python3
"""An independent client of grantledgerd: Debian's python3-grpcio and python3-protobuf, message
modules generated from proto/ with protoc at test time, certificates from scripts/dev-pki.sh.
It registers a grant as the coordinator, posts a receipt as the poster (OK), is refused as the
auditor (PERMISSION_DENIED naming the principal and role), and reads the poster back as the
author of its record.

Usage: tls_client_test.py --grantledgerd PATH --source-dir DIR
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import grantledger_protos  # noqa: E402

ARGS = None
DOMAIN = "spiffe://region.example/"


class TlsClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        tmp = cls.tmp.name
        pki = os.path.join(tmp, "pki")
        subprocess.run([os.path.join(ARGS.source_dir, "scripts", "dev-pki.sh"), pki], check=True,
                       stdout=subprocess.DEVNULL)
        grantledger_protos.generate(ARGS.source_dir, os.path.join(tmp, "gen"))
        cls.pki = pki
        cls.server = subprocess.Popen(
            [ARGS.grantledgerd, "--data-dir", os.path.join(tmp, "data"), "--listen",
             "127.0.0.1:0", "--tls-cert", os.path.join(pki, "server.pem"), "--tls-key",
             os.path.join(pki, "server.key"), "--client-ca", os.path.join(pki, "ca.pem"),
             "--authz", os.path.join(pki, "authz.json")],
            stderr=subprocess.PIPE, text=True)
        cls.address = None
        for line in cls.server.stderr:
            match = re.search(r"listening on (\S+?),", line)
            if match:
                cls.address = match.group(1)
                break
        if cls.address is None:
            raise RuntimeError("grantledgerd did not start")

    @classmethod
    def tearDownClass(cls):
        cls.server.send_signal(signal.SIGTERM)
        cls.server.communicate(timeout=60)
        cls.tmp.cleanup()

    def channel(self, who):
        import grpc

        def read(name):
            with open(os.path.join(self.pki, name), "rb") as f:
                return f.read()

        credentials = grpc.ssl_channel_credentials(
            root_certificates=read("ca.pem"), private_key=read(who + ".key"),
            certificate_chain=read(who + ".pem"))
        return grpc.secure_channel(self.address, credentials)

    def append(self, who, events):
        from grantledger.v1 import ledger_service_pb2
        with self.channel(who) as channel:
            call = channel.unary_unary(
                "/grantledger.v1.LedgerService/Append",
                request_serializer=ledger_service_pb2.AppendRequest.SerializeToString,
                response_deserializer=ledger_service_pb2.AppendResponse.FromString)
            return call(ledger_service_pb2.AppendRequest(events=events), timeout=30)

    def test_posts_as_poster_and_is_refused_as_auditor(self):
        import grpc
        from grantledger.v1 import audit_service_pb2, events_pb2

        grant = "RS/77/2025"
        registration = events_pb2.Event(
            event_id="py-reg", grant_id=grant, effective_date="2025-01-15", source="python",
            grant_registered=events_pb2.GrantRegistered(
                title="Python client", grantor="Socialstyrelsen", decided_amount_ore=1_000_000,
                usage_period_start="2025-01-01", usage_period_end="2025-12-31",
                repayment_deadline="2026-03-31", cost_object="9929",
                kind=events_pb2.GRANT_KIND_FIXED))
        self.assertEqual(list(self.append("coordinator", [registration]).sequences), [1])

        receipt = events_pb2.Event(event_id="py-rec", grant_id=grant, effective_date="2025-02-01",
                                   source="python", receipt=events_pb2.Receipt(amount_ore=400_000))
        response = self.append("poster", [receipt])
        self.assertEqual(list(response.sequences), [2])

        refused = events_pb2.Event(event_id="py-aud", grant_id=grant,
                                   effective_date="2025-02-02", source="python",
                                   receipt=events_pb2.Receipt(amount_ore=1))
        with self.assertRaises(grpc.RpcError) as raised:
            self.append("auditor", [refused])
        self.assertEqual(raised.exception.code(), grpc.StatusCode.PERMISSION_DENIED)
        self.assertIn("principal " + DOMAIN + "auditor (role auditor) may not call "
                      "LedgerService/Append", raised.exception.details())

        with self.channel("auditor") as channel:
            read = channel.unary_stream(
                "/grantledger.v1.AuditService/ReadEvents",
                request_serializer=audit_service_pb2.ReadEventsRequest.SerializeToString,
                response_deserializer=audit_service_pb2.EventsChunk.FromString)
            records = [e.record for chunk in read(audit_service_pb2.ReadEventsRequest(),
                                                  timeout=30) for e in chunk.events]
        self.assertEqual([r.sequence for r in records], [1, 2])
        self.assertEqual(records[0].author, DOMAIN + "coordinator")
        self.assertEqual(records[1].author, DOMAIN + "poster")
        self.assertEqual(records[1].event.source, "python")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--grantledgerd", required=True)
    parser.add_argument("--source-dir", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest)
