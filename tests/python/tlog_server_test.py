#!/usr/bin/env python3
"""The transparency log of a real grantledgerd, checked by the independent verifier
(scripts/verify_tlog.py) over gRPC: Debian's python3-grpcio, message modules generated from
proto/ with protoc at test time, the server on loopback without TLS.

It posts --events events (tests/bench make_events' ledger) with `grantledger post`, reads the
verifier key with `grantledger audit public-key` (or takes --public-key), then checks:
  - the head checkpoint and checkpoints at random sizes verify, and say what the response says;
  - --inclusion random inclusion proofs (random record, random tree size up to the head) and
    --consistency random consistency proofs (random sizes, plus the edge sizes: 1, powers of
    two, the last leaf, equal sizes) verify against those checkpoints;
  - each proof with one hash altered, another record, another checkpoint, and each checkpoint
    with its signature, size or root altered, fails;
  - the server refuses first_size 0 and sizes beyond the head;
  - the command line (verify_tlog.py) accepts the server's responses as protobuf JSON;
  - after more appends, the new head proves consistent with the old one.
While the server answers GetCheckpoint with UNIMPLEMENTED, it prints why and exits with
--skip-code (77, ctest's SKIP_RETURN_CODE).

Usage: tlog_server_test.py --grantledgerd PATH --grantledger PATH --make-events PATH
                           --source-dir DIR [--events N] [--inclusion K] [--consistency M]
                           [--post-via server|db] [--batch-size B] [--public-key KEY|FILE]
                           [--seed S] [--work DIR] [--skip-code C] [unittest arguments]
  --post-via db   post into the data directory before the server starts (faster for 1M)
  --work DIR      keep the events file there and reuse it (default: a temporary directory);
                  the ledger is always made afresh in DIR/ledger-N
"""
import argparse
import base64
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

ARGS = None
SERVER = None  # the Server every test uses, started in main()


def log(message):
    print("tlog_server_test: " + message, file=sys.stderr, flush=True)


class Server:
    """A grantledgerd on a fresh data directory with N events, and its gRPC stubs."""

    def __init__(self, args):
        self.args = args
        if args.work:
            os.makedirs(args.work, exist_ok=True)
            self.work = args.work
            self.tmp = None
        else:
            self.tmp = tempfile.TemporaryDirectory()
            self.work = self.tmp.name
        self.data_dir = os.path.join(self.work, "ledger-%d" % args.events)
        shutil.rmtree(self.data_dir, ignore_errors=True)
        self.process = None
        self.generate_messages()

    def generate_messages(self):
        gen = os.path.join(self.work, "gen")
        os.makedirs(gen, exist_ok=True)
        proto_dir = os.path.join(self.args.source_dir, "proto")
        protos = sorted(os.path.join("grantledger", "v1", f)
                        for f in os.listdir(os.path.join(proto_dir, "grantledger", "v1"))
                        if f.endswith(".proto"))
        subprocess.run(["protoc", "-I", proto_dir, "--python_out", gen] + protos, check=True)
        sys.path.insert(0, gen)
        sys.path.insert(0, os.path.join(self.args.source_dir, "scripts"))

    def events_file(self):
        path = os.path.join(self.work, "events-%d.jsonl" % self.args.events)
        if not os.path.exists(path):
            started = time.monotonic()
            subprocess.run([self.args.make_events, "--events", str(self.args.events), "--out",
                            path + ".part"], check=True)
            os.rename(path + ".part", path)
            log("made %d events in %.1f s" % (self.args.events, time.monotonic() - started))
        return path

    def post(self, path, where):
        started = time.monotonic()
        subprocess.run([self.args.grantledger, "post"] + where +
                       ["--batch-size", str(self.args.batch_size), path],
                       check=True, stdout=subprocess.DEVNULL)
        log("posted %s in %.1f s" % (os.path.basename(path), time.monotonic() - started))

    def start(self):
        command = [self.args.grantledgerd, "--data-dir", self.data_dir, "--listen",
                   "127.0.0.1:0"]
        self.origin = None
        help_text = subprocess.run([self.args.grantledgerd, "--help"], capture_output=True,
                                   text=True).stdout
        if "--origin" in help_text:
            self.origin = "grantledger.test/tlog-%d" % self.args.events
            command += ["--origin", self.origin]
        self.process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
        self.address = None
        for line in self.process.stderr:
            match = re.search(r"listening on (\S+?),", line)
            if match:
                self.address = match.group(1)
                break
        if self.address is None:
            raise RuntimeError("grantledgerd did not start")
        import grpc
        self.channel = grpc.insecure_channel(self.address)

    def stop(self):
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            self.process.communicate(timeout=120)
            self.process = None
        if self.tmp is not None:
            self.tmp.cleanup()
        else:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def call(self, method, request, response_type):
        rpc = self.channel.unary_unary(
            "/grantledger.v1.AuditService/" + method,
            request_serializer=type(request).SerializeToString,
            response_deserializer=response_type.FromString)
        return rpc(request, timeout=60)

    def checkpoint(self, tree_size=0):
        from grantledger.v1 import audit_service_pb2 as pb
        return self.call("GetCheckpoint", pb.GetCheckpointRequest(tree_size=tree_size),
                         pb.GetCheckpointResponse)

    def inclusion(self, sequence, tree_size):
        from grantledger.v1 import audit_service_pb2 as pb
        return self.call("GetInclusionProof",
                         pb.GetInclusionProofRequest(sequence=sequence, tree_size=tree_size),
                         pb.GetInclusionProofResponse)

    def consistency(self, first_size, second_size):
        from grantledger.v1 import audit_service_pb2 as pb
        return self.call("GetConsistencyProof",
                         pb.GetConsistencyProofRequest(first_size=first_size,
                                                       second_size=second_size),
                         pb.GetConsistencyProofResponse)

    def digest(self, sequence):
        from grantledger.v1 import audit_service_pb2 as pb
        return self.call("GetDigest", pb.GetDigestRequest(sequence=sequence),
                         pb.GetDigestResponse).digest

    def lacks_the_log(self):
        """UNIMPLEMENTED's message, or None when the server answers GetCheckpoint."""
        import grpc
        try:
            self.checkpoint()
        except grpc.RpcError as error:
            if error.code() == grpc.StatusCode.UNIMPLEMENTED:
                return error.details() or "UNIMPLEMENTED"
            raise
        return None

    def public_key(self):
        """The verifier key: --public-key, else `grantledger audit public-key` asked with the
        server's data directory (then its address), and the origin the server was given."""
        import verify_tlog
        if self.args.public_key:
            source = self.args.public_key
            if os.path.exists(source):
                with open(source, encoding="utf-8") as f:
                    source = f.read()
            return verify_tlog.parse_verifier_key(source)
        tried = []
        origin = ["--origin", self.origin] if self.origin else []
        for where in (["--db", self.data_dir], ["--server", self.address]):
            command = [self.args.grantledger, "audit", "public-key"] + where + origin
            result = subprocess.run(command, capture_output=True, text=True)
            lines = [line for line in result.stdout.splitlines() if line.strip()]
            if result.returncode == 0 and lines:
                return verify_tlog.parse_verifier_key(lines[-1])
            tried.append("%s: exit %d %s" % (" ".join(command[1:]), result.returncode,
                                             result.stderr.strip()[:200]))
        raise RuntimeError("no verifier key (pass --public-key): " + "; ".join(tried))


def altered(hashes, index):
    h = hashes[index]
    return hashes[:index] + [bytes([h[0] ^ 0x80]) + h[1:]] + hashes[index + 1:]


class TlogServerTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        import verify_tlog
        cls.v = verify_tlog
        cls.server = SERVER
        cls.key = SERVER.public_key()
        cls.rng = random.Random(ARGS.seed)
        # make_events writes at least its grants' set-up (560 events), whatever --events says.
        cls.head = SERVER.checkpoint().tree_size
        if cls.head < ARGS.events:
            raise AssertionError("the head is %d after posting %d events" %
                                 (cls.head, ARGS.events))
        cls.checkpoints = {}

    def checkpoint(self, size):
        """The verified checkpoint of `size` (and the note), fetched once."""
        if size not in self.checkpoints:
            response = self.server.checkpoint(size)
            checkpoint = self.v.verify_checkpoint(response.checkpoint, self.key,
                                                  origin=self.server.origin)
            self.assertEqual(checkpoint.size, size)
            self.assertEqual(response.tree_size, size)
            self.assertEqual(response.root_hash, checkpoint.root)
            self.checkpoints[size] = (checkpoint, response.checkpoint)
        return self.checkpoints[size][0]

    def assert_fails(self, verify, *args, what=""):
        with self.assertRaises(self.v.VerificationError, msg=what):
            verify(*args)

    def test_1_head_checkpoint(self):
        response = self.server.checkpoint()
        checkpoint = self.v.verify_checkpoint(response.checkpoint, self.key)
        self.assertEqual(checkpoint.size, ARGS.events if ARGS.events >= 560 else self.head)
        self.assertEqual(response.tree_size, self.head)
        self.assertEqual(response.root_hash, checkpoint.root)
        if self.server.origin:
            self.assertEqual(checkpoint.origin, self.server.origin)
        note = response.checkpoint
        self.assertTrue(note.endswith("\n"))
        # The signature, the size and the root, each altered, fail.
        lines = note.split("\n")
        origin, size, root = lines[:3]
        sig_at = note.rindex(" ") + 1
        blob = base64.b64decode(note[sig_at:])
        bad_sig = blob[:10] + bytes([blob[10] ^ 1]) + blob[11:]
        other_root = base64.b64encode(self.checkpoint(self.head - 1).root).decode()
        for what, bad in (
                ("signature", note[:sig_at] + base64.b64encode(bad_sig).decode() + "\n"),
                ("size", "\n".join([origin, str(self.head - 1)] + lines[2:])),
                ("size+1", "\n".join([origin, str(self.head + 1)] + lines[2:])),
                ("root", "\n".join([origin, size, other_root] + lines[3:])),
                ("origin", "\n".join([origin + "x", size, root] + lines[3:]))):
            self.assertNotEqual(bad, note)
            self.assert_fails(self.v.verify_checkpoint, bad, self.key, what=what)
        other = self.v.VerifierKey(self.key.name, self.key.key_id, bytes(32))
        self.assert_fails(self.v.verify_checkpoint, note, other, what="another key")
        wrong_id = self.v.VerifierKey(self.key.name, b"\x00\x00\x00\x00", self.key.public_key)
        self.assert_fails(self.v.verify_checkpoint, note, wrong_id, what="another key ID")

    def test_2_random_inclusion_proofs(self):
        started, verified, refused = time.monotonic(), 0, 0
        for i in range(ARGS.inclusion):
            sequence = self.rng.randint(1, self.head)
            size = self.head if i % 2 == 0 else self.rng.randint(sequence, self.head)
            if i == 0:
                sequence = size = self.head  # the last leaf
            checkpoint = self.checkpoint(size)
            response = self.server.inclusion(sequence, size)
            self.assertEqual((response.leaf_index, response.tree_size), (sequence - 1, size))
            self.assertEqual(response.event.record.sequence, sequence)
            if i < 100:  # the proved hash is the chain's, as GetDigest says
                self.assertEqual(response.event.hash, self.server.digest(sequence).head_hash)
            hashes = list(response.hashes)
            leaf = self.v.leaf_hash(response.event.hash)
            self.v.verify_inclusion(sequence - 1, size, leaf, hashes, checkpoint.root)
            verified += 1
            where = "record %d in %d" % (sequence, size)
            bad = [(sequence - 1, size, self.v.leaf_hash(bytes(32)), hashes, checkpoint.root)]
            if hashes:
                bad.append((sequence - 1, size, leaf, altered(hashes, self.rng.randrange(
                    len(hashes))), checkpoint.root))
                bad.append((sequence - 1, size, leaf, hashes[:-1], checkpoint.root))
            bad.append((sequence - 1, size, leaf, hashes + [leaf], checkpoint.root))
            if size > sequence:
                other = self.checkpoint(size - 1)
                bad.append((sequence - 1, size - 1, leaf, hashes, other.root))
            for args in bad:
                self.assert_fails(self.v.verify_inclusion, *args, what=where)
                refused += 1
        log("%d inclusion proofs verified, %d altered ones refused, in %.1f s" %
            (verified, refused, time.monotonic() - started))

    def consistency_pairs(self):
        head = self.head
        pairs = [(1, 1), (1, 2), (1, head), (head, head), (head - 1, head), (2, 3)]
        power = 1
        while power * 2 <= head:
            pairs += [(power, power * 2), (power, head)]
            power *= 2
        pairs = [(m, n) for m, n in pairs if 1 <= m <= n <= head]
        for _ in range(ARGS.consistency):
            n = self.rng.randint(1, head)
            pairs.append((self.rng.randint(1, n), n))
        return pairs

    def test_3_random_consistency_proofs(self):
        started, verified, refused = time.monotonic(), 0, 0
        for m, n in self.consistency_pairs():
            first, second = self.checkpoint(m), self.checkpoint(n)
            response = self.server.consistency(m, n)
            self.assertEqual((response.first_size, response.second_size), (m, n))
            hashes = list(response.hashes)
            if m == n:
                self.assertEqual(hashes, [])
            self.v.verify_consistency(m, n, first.root, second.root, hashes)
            verified += 1
            where = "%d to %d" % (m, n)
            bad = [(m, n, first.root, second.root, hashes + [first.root])]
            if hashes:
                bad.append((m, n, first.root, second.root,
                            altered(hashes, self.rng.randrange(len(hashes)))))
                bad.append((m, n, first.root, second.root, hashes[:-1]))
            if m < n:
                before = self.checkpoint(n - 1)
                bad.append((m, n, first.root, before.root, hashes))  # another second root
            if m > 1:
                bad.append((m, n, self.checkpoint(m - 1).root, second.root, hashes))
            for args in bad:
                self.assert_fails(self.v.verify_consistency, *args, what=where)
                refused += 1
        log("%d consistency proofs verified, %d altered ones refused, in %.1f s" %
            (verified, refused, time.monotonic() - started))

    def test_4_server_refuses_sizes_it_cannot_prove(self):
        import grpc
        for what, call, code in (
                ("first_size 0", lambda: self.server.consistency(0, self.head),
                 grpc.StatusCode.INVALID_ARGUMENT),
                ("first above second", lambda: self.server.consistency(3, 2),
                 grpc.StatusCode.INVALID_ARGUMENT),
                ("second beyond the head", lambda: self.server.consistency(1, self.head + 1),
                 grpc.StatusCode.OUT_OF_RANGE),
                ("sequence 0", lambda: self.server.inclusion(0, self.head),
                 grpc.StatusCode.OUT_OF_RANGE),
                ("sequence beyond the tree", lambda: self.server.inclusion(5, 4),
                 grpc.StatusCode.OUT_OF_RANGE),
                ("tree beyond the head", lambda: self.server.inclusion(1, self.head + 1),
                 grpc.StatusCode.OUT_OF_RANGE),
                ("checkpoint beyond the head", lambda: self.server.checkpoint(self.head + 1),
                 grpc.StatusCode.OUT_OF_RANGE)):
            with self.assertRaises(grpc.RpcError, msg=what) as raised:
                call()
            self.assertEqual(raised.exception.code(), code, what)

    def run_verifier(self, *argv):
        return subprocess.run(
            [sys.executable, os.path.join(ARGS.source_dir, "scripts", "verify_tlog.py")] +
            list(argv), capture_output=True, text=True)

    def test_5_command_line(self):
        from google.protobuf import json_format
        work = tempfile.mkdtemp(dir=self.server.work)
        key = os.path.join(work, "key")
        with open(key, "w") as f:
            f.write("%s+%s+%s\n" % (self.key.name, self.key.key_id.hex(), base64.b64encode(
                b"\x01" + self.key.public_key).decode()))

        def write(name, content):
            path = os.path.join(work, name)
            with open(path, "w", encoding="utf-8") as f:
                f.write(content)
            return path

        m, n = max(1, self.head // 3), self.head
        self.checkpoint(m)
        self.checkpoint(n)
        old = write("old", self.checkpoints[m][1])
        new = write("new", self.checkpoints[n][1])
        result = self.run_verifier("checkpoint", "--key", key, new)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("size %d" % n, result.stdout)
        inclusion = json_format.MessageToJson(self.server.inclusion(m, n))
        result = self.run_verifier("inclusion", "--key", key, "--checkpoint", new,
                                   write("inclusion.json", inclusion))
        self.assertEqual(result.returncode, 0, result.stderr)
        result = self.run_verifier("inclusion", "--key", key, "--checkpoint", old,
                                   write("inclusion.json", inclusion))
        self.assertEqual(result.returncode, 4, result.stderr)
        consistency = json_format.MessageToJson(self.server.consistency(m, n))
        result = self.run_verifier("consistency", "--key", key, "--old", old, "--new", new,
                                   write("consistency.json", consistency))
        self.assertEqual(result.returncode, 0, result.stderr)
        tampered = json.loads(consistency)
        if tampered.get("hashes"):
            tampered["hashes"][0] = base64.b64encode(bytes(32)).decode()
            result = self.run_verifier("consistency", "--key", key, "--old", old, "--new", new,
                                       write("tampered.json", json.dumps(tampered)))
            self.assertEqual(result.returncode, 4, result.stderr)
        shutil.rmtree(work)

    def test_6_the_grown_log_extends_the_old_head(self):
        old = self.checkpoint(self.head)
        lines = [json.dumps({  # small expenses on make_events' first grant
            "event_id": "tlog-more-%d" % i, "grant_id": "RS/100/2025",
            "effective_date": "2025-06-01", "source": "tlog_server_test",
            "expense": {"amount_ore": "1", "activity": "p1", "division": "HS Kir",
                        "purpose": "Hyrpersonal", "cost_group": "K\u00f6pta tj\u00e4nster"}})
            for i in range(5)]
        more = os.path.join(self.server.work, "more.jsonl")
        with open(more, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        self.server.post(more, ["--server", self.server.address])
        response = self.server.checkpoint()
        new = self.v.verify_checkpoint(response.checkpoint, self.key)
        self.assertEqual(new.size, self.head + len(lines))
        proof = self.server.consistency(old.size, new.size)
        self.v.verify_consistency(old.size, new.size, old.root, new.root, list(proof.hashes))
        included = self.server.inclusion(new.size, new.size)
        self.v.verify_inclusion(new.size - 1, new.size, self.v.leaf_hash(included.event.hash),
                                list(included.hashes), new.root)


def main():
    global ARGS, SERVER
    parser = argparse.ArgumentParser()
    parser.add_argument("--grantledgerd", required=True)
    parser.add_argument("--grantledger", required=True)
    parser.add_argument("--make-events", required=True)
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--inclusion", type=int, default=100)
    parser.add_argument("--consistency", type=int, default=30)
    parser.add_argument("--post-via", choices=("server", "db"), default="server")
    parser.add_argument("--batch-size", type=int, default=10000)
    parser.add_argument("--public-key")
    parser.add_argument("--seed", type=int, default=random.randrange(1 << 30))
    parser.add_argument("--work")
    parser.add_argument("--skip-code", type=int, default=77)
    ARGS, rest = parser.parse_known_args()
    if ARGS.events < 4:
        parser.error("--events must be at least 4")
    log("seed %d (--seed %d repeats this run)" % (ARGS.seed, ARGS.seed))
    SERVER = Server(ARGS)
    try:
        events = SERVER.events_file()
        if ARGS.post_via == "db":
            SERVER.post(events, ["--db", SERVER.data_dir])
            SERVER.start()
        else:
            SERVER.start()
        lacking = SERVER.lacks_the_log()
        if lacking is not None:
            print("SKIPPED: grantledgerd answers GetCheckpoint with UNIMPLEMENTED (%s): the "
                  "transparency log is not in this build" % lacking)
            return ARGS.skip_code
        if ARGS.post_via == "server":
            SERVER.post(events, ["--server", SERVER.address])
        program = unittest.main(argv=[sys.argv[0]] + rest, exit=False)
        return 0 if program.result.wasSuccessful() else 1
    finally:
        SERVER.stop()


if __name__ == "__main__":
    sys.exit(main())
