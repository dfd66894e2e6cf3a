#!/usr/bin/env python3
"""Unit tests of scripts/verify_tlog.py, the independent transparency-log verifier.

The reference tree here is RFC 9162's definitions taken literally: MTH (2.1.1) by brute-force
recursion, PATH (2.1.3.1) and PROOF/SUBPROOF (2.1.4.1) as written, checked first against the
Certificate Transparency test vectors (eight leaves, the roots of their prefixes, one path).
Every inclusion proof of every leaf and every consistency proof between sizes 1..N_MAX must
verify; every single-hash alteration, wrong index or size, truncated or extended proof, bad
signature, wrong key ID and changed checkpoint field must not.

Usage: verify_tlog_test.py [unittest arguments]
"""
import base64
import functools
import hashlib
import io
import os
import sys
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "scripts"))
import verify_tlog as v  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

N_MAX = 40
EM_DASH = "\u2014"


def sha256(data):
    return hashlib.sha256(data).digest()


class ReferenceTree:
    """RFC 9162 section 2.1 over a list of leaf data, by the definitions (no shortcuts)."""

    def __init__(self, data):
        self.data = list(data)

    @staticmethod
    def split(n):
        k = 1
        while k * 2 < n:
            k *= 2
        return k  # the largest power of two smaller than n (n > 1)

    @functools.lru_cache(maxsize=None)
    def mth(self, start, end):
        """MTH(D[start:end])."""
        n = end - start
        if n == 0:
            return sha256(b"")
        if n == 1:
            return sha256(b"\x00" + self.data[start])
        k = self.split(n)
        return sha256(b"\x01" + self.mth(start, start + k) + self.mth(start + k, end))

    def root(self, n):
        return self.mth(0, n)

    def path(self, m, start, end):
        """PATH(m, D[start:end]), m relative to start."""
        n = end - start
        if n == 1:
            return []
        k = self.split(n)
        if m < k:
            return self.path(m, start, start + k) + [self.mth(start + k, end)]
        return self.path(m - k, start + k, end) + [self.mth(start, start + k)]

    def inclusion_proof(self, m, n):
        return self.path(m, 0, n)

    def subproof(self, m, start, end, b):
        """SUBPROOF(m, D[start:end], b), m relative to start."""
        n = end - start
        if m == n:
            return [] if b else [self.mth(start, end)]
        k = self.split(n)
        if m <= k:
            return self.subproof(m, start, start + k, b) + [self.mth(start + k, end)]
        return self.subproof(m - k, start + k, end, False) + [self.mth(start, start + k)]

    def consistency_proof(self, m, n):
        return self.subproof(m, 0, n, True)

    def leaf_hash(self, i):
        return self.mth(i, i + 1)


def flipped(h, bit=0):
    return h[:bit // 8] + bytes([h[bit // 8] ^ (1 << (bit % 8))]) + h[bit // 8 + 1:]


# Records' chain hashes: 32 bytes each, as grantledger's leaves are.
RECORD_HASHES = [sha256(b"record %d" % s) for s in range(1, N_MAX + 2)]
TREE = ReferenceTree(RECORD_HASHES)

# The Certificate Transparency test vectors (RFC 6962 trees): leaf data and prefix roots.
CT_LEAVES = [bytes.fromhex(x) for x in (
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f")]
CT_ROOTS = [bytes.fromhex(x) for x in (
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")]
CT_PATH_0_OF_8 = [bytes.fromhex(x) for x in (
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")]

# golang.org/x/mod/sumdb/note's example: a key, and a note it signed.
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_SEED = base64.b64decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")[1:]
GO_TEXT = ("If you think cryptography is the answer to your problem,\n"
           "then you don't know what your problem is.\n")
GO_NOTE = (GO_TEXT + "\n" + EM_DASH + " PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZ"
           "InNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n")
# transparency-dev/formats' test key, whose base64 holds a '+'.
PLUS_VKEY = "TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6"


class Signer:
    """A log's Ed25519 key, signing notes as the signed-note text describes."""

    def __init__(self, name, private_key=None):
        self.name = name
        self.private_key = private_key or Ed25519PrivateKey.generate()
        self.public_key = self.private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.key_id = sha256(name.encode() + b"\n\x01" + self.public_key)[:4]

    def vkey(self):
        return "%s+%s+%s" % (self.name, self.key_id.hex(),
                             base64.b64encode(b"\x01" + self.public_key).decode())

    def signature_line(self, text, key_id=None):
        signature = self.private_key.sign(text.encode())
        blob = (key_id if key_id is not None else self.key_id) + signature
        return "%s %s %s\n" % (EM_DASH, self.name, base64.b64encode(blob).decode())

    def sign(self, text, key_id=None):
        return text + "\n" + self.signature_line(text, key_id)


def checkpoint_text(origin, size, root):
    return "%s\n%d\n%s\n" % (origin, size, base64.b64encode(root).decode())


class ReferenceTreeTest(unittest.TestCase):
    """The reference is the RFC's tree: it reproduces the CT vectors."""

    def test_roots_and_path_match_the_ct_vectors(self):
        ct = ReferenceTree(CT_LEAVES)
        for n, root in enumerate(CT_ROOTS):
            self.assertEqual(ct.root(n), root, "size %d" % n)
        self.assertEqual(ct.inclusion_proof(0, 8), CT_PATH_0_OF_8)
        v.verify_inclusion(0, 8, ct.leaf_hash(0), CT_PATH_0_OF_8, CT_ROOTS[8])

    def test_leaf_and_node_hashes(self):
        h = RECORD_HASHES[0]
        self.assertEqual(v.leaf_hash(h), sha256(b"\x00" + h))
        self.assertEqual(v.leaf_hash(h), TREE.leaf_hash(0))
        self.assertEqual(v.node_hash(h, h), sha256(b"\x01" + h + h))
        with self.assertRaises(v.VerificationError):
            v.leaf_hash(h[:31])


class InclusionTest(unittest.TestCase):

    def test_every_leaf_of_every_size_verifies(self):
        for n in range(1, N_MAX + 1):
            for m in range(n):
                v.verify_inclusion(m, n, v.leaf_hash(RECORD_HASHES[m]),
                                   TREE.inclusion_proof(m, n), TREE.root(n))

    def assert_fails(self, index, size, leaf, proof, root, what):
        with self.assertRaises(v.VerificationError, msg=what):
            v.verify_inclusion(index, size, leaf, proof, root)

    def test_every_alteration_fails(self):
        stranger = sha256(b"not a node of this tree")
        for n in range(1, N_MAX + 1):
            root = TREE.root(n)
            for m in range(n):
                leaf, proof = TREE.leaf_hash(m), TREE.inclusion_proof(m, n)
                where = "leaf %d of %d" % (m, n)
                for i in range(len(proof)):
                    for bit in (0, 255):
                        altered = proof[:i] + [flipped(proof[i], bit)] + proof[i + 1:]
                        self.assert_fails(m, n, leaf, altered, root, "%s hash %d" % (where, i))
                self.assert_fails(m, n, flipped(leaf), proof, root, where + " leaf")
                self.assert_fails(m, n, leaf, proof, flipped(root, 100), where + " root")
                for other in (m - 1, m + 1):
                    if 0 <= other < n:
                        self.assert_fails(other, n, leaf, proof, root, "%s as %d" % (where, other))
                for other in (n - 1, n + 1, 2 * n):
                    if m < other <= N_MAX + 1:
                        self.assert_fails(m, other, leaf, proof, TREE.root(other),
                                          "%s in size %d" % (where, other))
                if proof:
                    self.assert_fails(m, n, leaf, proof[:-1], root, where + " without its last")
                    self.assert_fails(m, n, leaf, proof[1:], root, where + " without its first")
                for extra in (stranger, root, leaf):
                    self.assert_fails(m, n, leaf, proof + [extra], root, where + " extended")
                    self.assert_fails(m, n, leaf, [extra] + proof, root, where + " prefixed")
                self.assert_fails(m, n, leaf, proof + [b"\x00" * 31], root, where + " short")

    def test_index_outside_the_tree_fails(self):
        leaf = TREE.leaf_hash(0)
        for index, size in ((0, 0), (1, 1), (5, 5), (-1, 4)):
            self.assert_fails(index, size, leaf, [], TREE.root(size), "%d of %d" % (index, size))
        # A proof that ends before the claimed tree does (see ConsistencyTest.test_edge_sizes).
        self.assert_fails(0, 4, leaf, TREE.inclusion_proof(0, 2), TREE.root(2), "0 of 2 as of 4")


class ConsistencyTest(unittest.TestCase):

    def test_every_pair_of_sizes_verifies(self):
        for n in range(1, N_MAX + 1):
            for m in range(1, n + 1):
                proof = TREE.consistency_proof(m, n)
                if m == n:
                    self.assertEqual(proof, [])
                v.verify_consistency(m, n, TREE.root(m), TREE.root(n), proof)

    def assert_fails(self, m, n, first_root, second_root, proof, what, reason=""):
        with self.assertRaisesRegex(v.VerificationError, reason, msg=what):
            v.verify_consistency(m, n, first_root, second_root, proof)

    def test_every_alteration_fails(self):
        stranger = sha256(b"not a node of this tree")
        for n in range(1, N_MAX + 1):
            for m in range(1, n + 1):
                first, second = TREE.root(m), TREE.root(n)
                proof = TREE.consistency_proof(m, n)
                where = "%d to %d" % (m, n)
                for i in range(len(proof)):
                    for bit in (0, 255):
                        altered = proof[:i] + [flipped(proof[i], bit)] + proof[i + 1:]
                        self.assert_fails(m, n, first, second, altered, "%s hash %d" % (where, i))
                self.assert_fails(m, n, flipped(first), second, proof, where + " first root")
                self.assert_fails(m, n, first, flipped(second), proof, where + " second root")
                for other in (m - 1, m + 1):
                    if 1 <= other <= n:
                        self.assert_fails(other, n, TREE.root(other), second, proof,
                                          "%s from %d" % (where, other))
                for other in (n - 1, n + 1):
                    if m <= other <= N_MAX + 1:
                        self.assert_fails(m, other, first, TREE.root(other), proof,
                                          "%s to %d" % (where, other))
                if proof:
                    self.assert_fails(m, n, first, second, proof[:-1], where + " without last")
                    self.assert_fails(m, n, first, second, proof[1:], where + " without first")
                for extra in (stranger, first, second):
                    self.assert_fails(m, n, first, second, proof + [extra], where + " extended")
                    self.assert_fails(m, n, first, second, [extra] + proof, where + " prefixed")

    def test_edge_sizes(self):
        root = TREE.root(4)
        # RFC 9162 defines no proof from size 0, whatever the proof.
        no_proof = "no consistency proof from size 0"
        self.assert_fails(0, 4, sha256(b""), root, [], "from 0", no_proof)
        self.assert_fails(0, 4, sha256(b""), root, TREE.inclusion_proof(0, 4), "from 0", no_proof)
        self.assert_fails(0, 0, sha256(b""), sha256(b""), [], "0 to 0", no_proof)
        # Equal sizes: an empty proof and equal roots.
        v.verify_consistency(4, 4, root, root, [])
        self.assert_fails(4, 4, root, root, [root], "equal sizes, a proof", "must be empty")
        self.assert_fails(4, 4, root, flipped(root), [], "equal sizes, other roots", "differ")
        # The first above the second.
        self.assert_fails(5, 4, TREE.root(5), root, TREE.consistency_proof(4, 5), "5 to 4",
                          "above the second")
        # A proof that ends before the claimed tree does: the root it leads to is the smaller
        # tree's, and only "sn must end at 0" tells that the size is not the one claimed.
        self.assert_fails(1, 4, TREE.root(1), TREE.root(2), TREE.consistency_proof(1, 2),
                          "1 to 2 claimed as 1 to 4")
        self.assert_fails(2, 8, TREE.root(2), TREE.root(4), TREE.consistency_proof(2, 4),
                          "2 to 4 claimed as 2 to 8")
        # Size 1, powers of two, and the last leaf.
        for m, n in ((1, 2), (1, 32), (2, 4), (16, 32), (32, 33), (39, 40), (1, 40)):
            v.verify_consistency(m, n, TREE.root(m), TREE.root(n), TREE.consistency_proof(m, n))


class VerifierKeyTest(unittest.TestCase):

    def test_published_keys_parse(self):
        key = v.parse_verifier_key(GO_VKEY)
        self.assertEqual((key.name, key.key_id.hex()), ("PeterNeumann", "c74f20a3"))
        self.assertEqual(Signer("PeterNeumann", Ed25519PrivateKey.from_private_bytes(GO_SEED))
                         .vkey(), GO_VKEY)
        self.assertEqual(v.parse_verifier_key(PLUS_VKEY).key_id.hex(), "7997405c")

    def test_mangled_keys_are_refused(self):
        name, key_id, material = GO_VKEY.split("+", 2)
        mangled = [
            "PeterNeumann+c74f20a4+" + material,          # another key ID
            "PeterNeumanm+c74f20a3+" + material,          # another name
            name + "+c74f20a+" + material,                # 7 hex digits
            name + "+" + key_id,                          # no key
            name + "+" + key_id + "+" + material[:-4],    # a short key
            name + "+" + key_id + "+" + base64.b64encode(
                b"\x04" + base64.b64decode(material)[1:]).decode(),  # not type 0x01
            "Peter Neumann+c74f20a3+" + material,         # a space in the name
            "+c74f20a3+" + material,                      # no name
        ]
        for text in mangled:
            with self.assertRaises(v.VerificationError, msg=text):
                v.parse_verifier_key(text)


class CheckpointTest(unittest.TestCase):

    ORIGIN = "grantledger.example/region-test"

    def setUp(self):
        self.signer = Signer(self.ORIGIN)
        self.text = checkpoint_text(self.ORIGIN, 13, TREE.root(13))
        self.note = self.signer.sign(self.text)

    def assert_refused(self, note, what, key=None):
        with self.assertRaises(v.VerificationError, msg=what):
            v.verify_checkpoint(note, key or self.signer.vkey())

    def test_the_published_note_verifies(self):
        self.assertEqual(v.verify_note(GO_NOTE, GO_VKEY), GO_TEXT)
        self.assertEqual(v.verify_note(GO_NOTE.encode(), GO_VKEY), GO_TEXT)
        with self.assertRaises(v.VerificationError):
            v.verify_note(GO_NOTE.replace("cryptography", "cryptographY"), GO_VKEY)

    def test_a_signed_checkpoint_verifies(self):
        checkpoint = v.verify_checkpoint(self.note, self.signer.vkey(), origin=self.ORIGIN)
        self.assertEqual((checkpoint.origin, checkpoint.size, checkpoint.root),
                         (self.ORIGIN, 13, TREE.root(13)))
        self.assertEqual(checkpoint.text, self.text)
        empty = self.signer.sign(checkpoint_text(self.ORIGIN, 0, sha256(b"")))
        self.assertEqual(v.verify_checkpoint(empty, self.signer.vkey()).size, 0)

    def test_other_signatures_are_ignored(self):
        witness = Signer("witness.example/w1")
        cosigned = self.note + witness.signature_line(self.text)
        self.assertEqual(v.verify_checkpoint(cosigned, self.signer.vkey()).size, 13)
        # The same name with another key ID is another key: ignored, not failed.
        other = Signer(self.ORIGIN)
        first = self.text + "\n" + other.signature_line(self.text) + \
            self.signer.signature_line(self.text)
        self.assertEqual(v.verify_checkpoint(first, self.signer.vkey()).size, 13)
        self.assert_refused(cosigned, "signed only by the witness", witness.vkey().replace(
            "witness.example/w1", "witness.example/w2"))

    def test_signature_failures(self):
        sig_start = self.note.rindex(" ") + 1
        blob = base64.b64decode(self.note[sig_start:])
        for i in (4, 20, 67):  # a byte of the Ed25519 signature
            bad = blob[:i] + bytes([blob[i] ^ 1]) + blob[i + 1:]
            self.assert_refused(self.note[:sig_start] + base64.b64encode(bad).decode() + "\n",
                                "signature byte %d" % i)
        wrong_id = self.signer.sign(self.text, key_id=b"\x00\x00\x00\x00")
        self.assert_refused(wrong_id, "a wrong key ID in the signature")
        self.assert_refused(self.note, "another key", Signer(self.ORIGIN).vkey())
        signer_key = v.parse_verifier_key(self.signer.vkey())
        forged = v.VerifierKey(signer_key.name, b"\x00\x00\x00\x00", signer_key.public_key)
        self.assert_refused(self.note, "a verifier key with another ID", forged)
        # A known key's failing signature rejects the note even beside a good one.
        bad = blob[:10] + bytes([blob[10] ^ 1]) + blob[11:]
        twice = self.note + "%s %s %s\n" % (EM_DASH, self.ORIGIN, base64.b64encode(bad).decode())
        self.assert_refused(twice, "a good and a bad signature")

    def test_changed_fields_fail(self):
        root_b64 = base64.b64encode(TREE.root(13)).decode()
        other_b64 = base64.b64encode(TREE.root(14)).decode()
        changes = {
            "size": self.note.replace("\n13\n", "\n14\n"),
            "root": self.note.replace(root_b64, other_b64),
            "origin": self.note.replace(self.ORIGIN + "\n", self.ORIGIN + "x\n", 1),
        }
        for what, note in changes.items():
            self.assertNotEqual(note, self.note)
            self.assert_refused(note, "changed " + what)
        with self.assertRaises(v.VerificationError):
            v.verify_checkpoint(self.note, self.signer.vkey(), origin="another.example/log")

    def test_malformed_notes_fail(self):
        signed = self.signer.sign
        malformed = {
            "no signature": self.text,
            "no blank line": self.text + self.signer.signature_line(self.text),
            "no final newline": self.note[:-1],
            "a hyphen for the em dash": self.note.replace(EM_DASH, "-"),
            "a tab": signed(self.text.replace("\n13", "\t\n13")),
            "a leading zero": signed(self.text.replace("\n13\n", "\n013\n")),
            "a signed size": signed(self.text.replace("\n13\n", "\n+13\n")),
            "two lines": signed("%s\n13\n" % self.ORIGIN),
            "an empty line": signed(self.text.replace("\n13\n", "\n\n13\n")),
            "an empty extension line": signed(self.text + "\n"),
            "a short root": signed(checkpoint_text(self.ORIGIN, 13, TREE.root(13)[:31])),
            "a root not base64": signed(self.text.replace("=\n", "!\n")),
            "not UTF-8": self.note.encode() + b"\xff",
        }
        for what, note in malformed.items():
            self.assert_refused(note, what)
        extension = signed(self.text + "extension line\n")
        self.assertEqual(v.verify_checkpoint(extension, self.signer.vkey()).extensions,
                         ["extension line"])


class CommandLineTest(unittest.TestCase):
    """The command line: files and protobuf-JSON proofs in, exit 0 or 4."""

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.signer = Signer("grantledger.example/cli")
        self.key = self.path("key", self.signer.vkey() + "\n")
        self.checkpoints = {}
        for n in (2, 3, 4, 5, 13, 32):
            self.checkpoints[n] = self.path("checkpoint-%d" % n, self.signer.sign(
                checkpoint_text(self.signer.name, n, TREE.root(n))))

    def tearDown(self):
        self.dir.cleanup()

    def path(self, name, content):
        path = os.path.join(self.dir.name, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(content)
        return path

    def run_main(self, *argv):
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = v.main(list(argv))
        return code, out.getvalue() + err.getvalue()

    @staticmethod
    def b64(hashes):
        return [base64.b64encode(h).decode() for h in hashes]

    def test_checkpoint(self):
        code, output = self.run_main("checkpoint", "--key", self.key, self.checkpoints[13])
        self.assertEqual(code, 0, output)
        self.assertIn("size 13", output)
        code, output = self.run_main("checkpoint", "--key", self.signer.vkey(),
                                     self.checkpoints[5])
        self.assertEqual(code, 0, output)
        code, output = self.run_main("checkpoint", "--key", Signer("x.example/y").vkey(),
                                     self.checkpoints[5])
        self.assertEqual(code, 4, output)
        self.assertIn("NOT VERIFIED", output)
        code, output = self.run_main("checkpoint", "--key", self.key,
                                     os.path.join(self.dir.name, "missing"))
        self.assertEqual(code, 2, output)

    def test_inclusion(self):
        import json
        sequence, size = 7, 13
        response = {  # GetInclusionProofResponse as protobuf's JSON printer writes it
            "leafIndex": str(sequence - 1), "treeSize": str(size),
            "hashes": self.b64(TREE.inclusion_proof(sequence - 1, size)),
            "event": {"record": {"sequence": str(sequence)},
                      "hash": base64.b64encode(RECORD_HASHES[sequence - 1]).decode()}}
        proof = self.path("inclusion.json", json.dumps(response))
        code, output = self.run_main("inclusion", "--key", self.key, "--checkpoint",
                                     self.checkpoints[size], proof)
        self.assertEqual(code, 0, output)
        short = {"leaf_index": sequence - 1, "tree_size": size, "hashes": response["hashes"],
                 "record_hash": response["event"]["hash"]}
        code, output = self.run_main("inclusion", "--key", self.key, "--checkpoint",
                                     self.checkpoints[size],
                                     self.path("short.json", json.dumps(short)))
        self.assertEqual(code, 0, output)
        first = {  # protobuf's JSON leaves out leafIndex 0
            "treeSize": str(size), "hashes": self.b64(TREE.inclusion_proof(0, size)),
            "event": {"record": {"sequence": "1"},
                      "hash": base64.b64encode(RECORD_HASHES[0]).decode()}}
        code, output = self.run_main("inclusion", "--key", self.key, "--checkpoint",
                                     self.checkpoints[size],
                                     self.path("first.json", json.dumps(first)))
        self.assertEqual(code, 0, output)
        for what, change in (
                ("another record", {"event": {"hash": base64.b64encode(
                    RECORD_HASHES[0]).decode()}}),
                ("another index", {"leafIndex": "5"}),
                ("another size", {"treeSize": "32"}),
                ("a hash dropped", {"hashes": response["hashes"][:-1]})):
            altered = dict(response, **change)
            code, output = self.run_main("inclusion", "--key", self.key, "--checkpoint",
                                         self.checkpoints[size],
                                         self.path("altered.json", json.dumps(altered)))
            self.assertEqual(code, 4, what + ": " + output)
        code, output = self.run_main("inclusion", "--key", self.key, "--checkpoint",
                                     self.checkpoints[32], proof)
        self.assertEqual(code, 4, output)
        # Leaf 0's proof in the tree of 3 leads to the root of 3 when read as a proof in a tree
        # of 4 too (RFC 9162 binds the size to the root only through the signed checkpoint):
        # a proof must be for the checkpoint's own size.
        claimed = {"leaf_index": 0, "tree_size": 4, "hashes": self.b64(TREE.inclusion_proof(0, 3)),
                   "record_hash": base64.b64encode(RECORD_HASHES[0]).decode()}
        v.verify_inclusion(0, 4, TREE.leaf_hash(0), TREE.inclusion_proof(0, 3), TREE.root(3))
        code, output = self.run_main("inclusion", "--key", self.key, "--checkpoint",
                                     self.checkpoints[3],
                                     self.path("claimed.json", json.dumps(claimed)))
        self.assertEqual(code, 4, output)
        self.assertIn("the checkpoint's has 3", output)

    def test_consistency(self):
        import json
        response = {"firstSize": "5", "secondSize": "32",
                    "hashes": self.b64(TREE.consistency_proof(5, 32))}
        proof = self.path("consistency.json", json.dumps(response))
        code, output = self.run_main("consistency", "--key", self.key, "--old",
                                     self.checkpoints[5], "--new", self.checkpoints[32], proof)
        self.assertEqual(code, 0, output)
        code, output = self.run_main("consistency", "--key", self.key, "--old",
                                     self.checkpoints[13], "--new", self.checkpoints[32], proof)
        self.assertEqual(code, 4, output)
        altered = dict(response, hashes=response["hashes"][::-1])
        code, output = self.run_main("consistency", "--key", self.key, "--old",
                                     self.checkpoints[5], "--new", self.checkpoints[32],
                                     self.path("altered.json", json.dumps(altered)))
        self.assertEqual(code, 4, output)
        # As for inclusion: the proof from 2 to 3 also leads to the root of 3 read as 2 to 4.
        claimed = {"first_size": 2, "second_size": 4,
                   "hashes": self.b64(TREE.consistency_proof(2, 3))}
        v.verify_consistency(2, 4, TREE.root(2), TREE.root(3), TREE.consistency_proof(2, 3))
        code, output = self.run_main("consistency", "--key", self.key, "--old",
                                     self.checkpoints[2], "--new", self.checkpoints[3],
                                     self.path("claimed.json", json.dumps(claimed)))
        self.assertEqual(code, 4, output)
        self.assertIn("sizes are 2 and 3", output)


if __name__ == "__main__":
    unittest.main()
