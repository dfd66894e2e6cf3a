#!/usr/bin/env python3
"""verify_tlog.py: an independent verifier of grantledger's transparency log (issue 15, item 6).

Written from RFC 9162 section 2.1 (the Merkle hash tree, inclusion proofs 2.1.3.2, consistency
proofs 2.1.4.2) and the C2SP texts signed-note and tlog-checkpoint, not from grantledger's C++.
It needs only the Python standard library and Debian's python3-cryptography (Ed25519).

The log, as the issue defines it: record s is leaf s-1; its leaf hash is SHA-256(0x00 || h),
h being the record's 32-byte chain hash; interior nodes are SHA-256(0x01 || left || right).

Library (import verify_tlog):
  parse_verifier_key(text)            "NAME+KEYID+BASE64(0x01||PUBKEY)" -> VerifierKey; KEYID
                                      (8 hex digits) must be SHA-256(NAME||0x0A||0x01||PUBKEY)[:4]
  verify_note(note, key)              a signed note -> the text that key signed
  verify_checkpoint(note, key)        a checkpoint -> Checkpoint(origin, size, root, ...)
  verify_inclusion(index, size, leaf, proof, root)
  verify_consistency(first_size, second_size, first_root, second_root, proof)
  leaf_hash(h), node_hash(left, right)
Each verify_* returns on success and raises VerificationError saying what failed.

Command line (exit 0: verified; 4: verification failed; 2: unusable arguments or input):
  verify_tlog.py checkpoint  --key KEY CHECKPOINT
      Verifies the note and prints its origin, size and root (base64).
  verify_tlog.py inclusion   --key KEY --checkpoint CHECKPOINT PROOF_JSON
      PROOF_JSON is GetInclusionProofResponse in protobuf's JSON form (grpcurl's output):
      {"leafIndex": "41", "treeSize": "1000", "hashes": [b64...],
       "event": {"record": {"sequence": "42", ...}, "hash": b64}}
      or the short form {"leaf_index": 41, "tree_size": 1000, "hashes": [...],
      "record_hash": b64}. Numbers may be JSON numbers or decimal strings, names in either
      case. The proof's tree size must be the checkpoint's.
  verify_tlog.py consistency --key KEY --old CHECKPOINT --new CHECKPOINT PROOF_JSON
      PROOF_JSON is GetConsistencyProofResponse: {"firstSize", "secondSize", "hashes"}; the
      sizes must be the two checkpoints'.
  KEY is the verifier key text or a file holding it (`grantledger audit public-key`'s output);
  CHECKPOINT and PROOF_JSON are files, '-' for standard input.
"""
import argparse
import base64
import binascii
import collections
import hashlib
import json
import os
import re
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

HASH_BYTES = 32
ED25519_TYPE = 0x01
SIGNATURE_PREFIX = "\u2014 "  # em dash, space (signed-note)
MAX_SIGNATURES = 100  # signed-note: verifiers SHOULD limit them and MUST accept 16

VerifierKey = collections.namedtuple("VerifierKey", "name key_id public_key")
Checkpoint = collections.namedtuple("Checkpoint", "origin size root extensions text")


class VerificationError(Exception):
    """A checkpoint or proof that does not verify."""


def sha256(data):
    return hashlib.sha256(data).digest()


def leaf_hash(record_hash):
    """RFC 9162 2.1.1, with the leaf datum being the record's 32-byte chain hash."""
    _check_hash(record_hash, "the record hash")
    return sha256(b"\x00" + record_hash)


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


def _check_hash(value, what):
    if not isinstance(value, (bytes, bytearray)) or len(value) != HASH_BYTES:
        raise VerificationError("%s is not %d bytes" % (what, HASH_BYTES))


def _b64decode(text, what):
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError, TypeError) as error:
        raise VerificationError("%s is not valid base64: %s" % (what, error)) from None


def key_id(name, public_key):
    """signed-note: SHA-256(key name || 0x0A || 0x01 || 32-byte Ed25519 public key)[:4]."""
    return sha256(name.encode("utf-8") + b"\n" + bytes([ED25519_TYPE]) + public_key)[:4]


def _check_key_name(name):
    if not name or any(c.isspace() or c == "+" for c in name):
        raise VerificationError("key name %r is empty or holds a space or '+'" % name)


def parse_verifier_key(text):
    """Parses NAME+KEYID+BASE64(0x01 || public key), KEYID in 8 hex digits."""
    parts = text.strip().split("+", 2)  # the base64 may hold '+'; the name and ID may not
    if len(parts) != 3:
        raise VerificationError("a verifier key is NAME+KEYID+BASE64, not %r" % text.strip())
    name, id_hex, key_b64 = parts
    _check_key_name(name)
    if not re.fullmatch(r"[0-9a-fA-F]{8}", id_hex):
        raise VerificationError("the verifier key's ID %r is not 8 hex digits" % id_hex)
    key_bytes = _b64decode(key_b64, "the verifier key")
    if len(key_bytes) != 1 + 32 or key_bytes[0] != ED25519_TYPE:
        raise VerificationError("the verifier key is not 0x01 followed by a 32-byte Ed25519 key")
    public_key = key_bytes[1:]
    if key_id(name, public_key) != bytes.fromhex(id_hex):
        raise VerificationError("the verifier key's ID %s is not the first 4 bytes of "
                                "SHA-256(name || 0x0A || 0x01 || key)" % id_hex)
    return VerifierKey(name, bytes.fromhex(id_hex), public_key)


def _split_note(note):
    """signed-note: text (with its final newline) and signature lines, split at the last blank
    line."""
    if isinstance(note, (bytes, bytearray)):
        try:
            note = bytes(note).decode("utf-8")
        except UnicodeDecodeError:
            raise VerificationError("the note is not valid UTF-8") from None
    if any(ord(c) < 0x20 and c != "\n" for c in note):
        raise VerificationError("the note holds a control character other than newline")
    cut = note.rfind("\n\n")
    if cut < 0:
        raise VerificationError("the note has no blank line before its signatures")
    text, signatures = note[:cut + 1], note[cut + 2:]
    if not signatures.endswith("\n"):
        raise VerificationError("the note's last signature line does not end in a newline")
    lines = signatures[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise VerificationError("the note has more than %d signatures" % MAX_SIGNATURES)
    parsed = []
    for line in lines:
        match = re.fullmatch(SIGNATURE_PREFIX + r"(\S+) (\S+)", line)
        if not match:
            raise VerificationError("malformed signature line %r" % line)
        blob = _b64decode(match.group(2), "a signature")
        if len(blob) < 5:
            raise VerificationError("the signature of %s is too short" % match.group(1))
        parsed.append((match.group(1), blob[:4], blob[4:]))
    return text, parsed


def _parse_checkpoint_text(text):
    """tlog-checkpoint: origin, tree size, base64 root, then optional extension lines."""
    lines = text[:-1].split("\n")
    if len(lines) < 3 or any(not line for line in lines):
        raise VerificationError("a checkpoint's text is at least three non-empty lines "
                                "(origin, size, root)")
    origin, size_text, root_text = lines[:3]
    if not re.fullmatch(r"0|[1-9][0-9]*", size_text):
        raise VerificationError("the checkpoint's size %r is not a decimal without leading "
                                "zeroes" % size_text)
    size = int(size_text)
    if size >= 1 << 64:
        raise VerificationError("the checkpoint's size %s does not fit 64 bits" % size_text)
    root = _b64decode(root_text, "the checkpoint's root")
    _check_hash(root, "the checkpoint's root")
    return origin, size, root, lines[3:]


def verify_note(note, key):
    """signed-note: returns the text (with its final newline) that `key` (a VerifierKey or its
    text) signed. Signatures of other keys (another name or key ID) are ignored; one by `key`
    must verify, and a failing one by `key` rejects the note."""
    if isinstance(key, str):
        key = parse_verifier_key(key)
    text, signatures = _split_note(note)
    verified = False
    public_key = Ed25519PublicKey.from_public_bytes(key.public_key)
    for name, signature_key_id, signature in signatures:
        if name != key.name or signature_key_id != key.key_id:
            continue
        try:
            public_key.verify(signature, text.encode("utf-8"))
        except InvalidSignature:
            raise VerificationError("the signature of %s does not verify" % name) from None
        verified = True
    if not verified:
        raise VerificationError("the note has no signature by %s with key ID %s" %
                                (key.name, key.key_id.hex()))
    return text


def verify_checkpoint(note, key, origin=None):
    """Verifies a checkpoint signed by `key` (see verify_note); returns a Checkpoint. `origin`,
    if given, must be its first line."""
    text = verify_note(note, key)
    note_origin, size, root, extensions = _parse_checkpoint_text(text)
    if origin is not None and note_origin != origin:
        raise VerificationError("the checkpoint's origin is %r, not %r" % (note_origin, origin))
    return Checkpoint(note_origin, size, root, extensions, text)


def _check_proof(proof):
    for i, value in enumerate(proof):
        _check_hash(value, "proof hash %d" % i)


def verify_inclusion(leaf_index, tree_size, leaf, proof, root):
    """RFC 9162 2.1.3.2: `leaf` (a leaf hash) is leaf `leaf_index` of the tree of `tree_size`
    leaves whose root is `root`; every hash of `proof` is used."""
    _check_hash(leaf, "the leaf hash")
    _check_hash(root, "the root")
    _check_proof(proof)
    if leaf_index < 0 or leaf_index >= tree_size:
        raise VerificationError("leaf index %d is not in a tree of %d leaves" %
                                (leaf_index, tree_size))
    fn, sn, r = leaf_index, tree_size - 1, leaf
    for p in proof:
        if sn == 0:
            raise VerificationError("the inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise VerificationError("the inclusion proof is shorter than the tree is deep")
    if r != root:
        raise VerificationError("the inclusion proof does not lead to the root")


def verify_consistency(first_size, second_size, first_root, second_root, proof):
    """RFC 9162 2.1.4.2: the tree of `second_size` leaves and root `second_root` extends the one
    of `first_size` leaves and root `first_root`; every hash of `proof` is used."""
    _check_hash(first_root, "the first root")
    _check_hash(second_root, "the second root")
    _check_proof(proof)
    if first_size < 1:
        raise VerificationError("RFC 9162 defines no consistency proof from size %d" % first_size)
    if first_size > second_size:
        raise VerificationError("the first size %d is above the second %d" %
                                (first_size, second_size))
    if first_size == second_size:
        if proof:
            raise VerificationError("between equal sizes the proof must be empty")
        if first_root != second_root:
            raise VerificationError("two roots of the same size %d differ" % first_size)
        return
    if not proof:
        raise VerificationError("the consistency proof is empty")
    path = list(proof)
    if first_size & (first_size - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first_size - 1, second_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise VerificationError("the consistency proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise VerificationError("the consistency proof is shorter than the tree is deep")
    if fr != first_root:
        raise VerificationError("the consistency proof does not lead to the first root")
    if sr != second_root:
        raise VerificationError("the consistency proof does not lead to the second root")


# ---- command line ----

class UsageError(Exception):
    """Input the command line cannot use (exit 2)."""


def _read(path):
    try:
        if path == "-":
            return sys.stdin.buffer.read()
        with open(path, "rb") as f:
            return f.read()
    except OSError as error:
        raise UsageError("cannot read %s: %s" % (path, error.strerror)) from None


def _key(text_or_path):
    if os.path.exists(text_or_path):
        try:
            return parse_verifier_key(_read(text_or_path).decode("utf-8"))
        except UnicodeDecodeError:
            raise UsageError("%s does not hold a verifier key" % text_or_path) from None
    return parse_verifier_key(text_or_path)


def _json(path):
    try:
        return json.loads(_read(path))
    except ValueError as error:
        raise UsageError("%s is not JSON: %s" % (path, error)) from None


def _field(obj, *names, default=None):
    """The first of `names` present, in snake_case or protobuf JSON's lowerCamelCase."""
    for name in names:
        camel = re.sub(r"_(.)", lambda m: m.group(1).upper(), name)
        for candidate in (name, camel):
            if isinstance(obj, dict) and candidate in obj:
                return obj[candidate]
    return default


def _number(value, what):
    try:
        return int(value if value is not None else 0)
    except (TypeError, ValueError):
        raise UsageError("%s is not a number: %r" % (what, value)) from None


def _hashes(obj):
    return [_b64decode(h, "a proof hash") for h in _field(obj, "hashes", default=[])]


def _checkpoint_file(path, key):
    return verify_checkpoint(_read(path), key)


def command_checkpoint(args):
    checkpoint = _checkpoint_file(args.checkpoint, _key(args.key))
    print("origin %s\nsize %d\nroot %s" %
          (checkpoint.origin, checkpoint.size, base64.b64encode(checkpoint.root).decode()))


def command_inclusion(args):
    checkpoint = _checkpoint_file(args.checkpoint, _key(args.key))
    proof = _json(args.proof)
    event = _field(proof, "event", default={})
    record_hash = _field(proof, "record_hash", default=None)
    if record_hash is None:
        record_hash = _field(event, "hash", default="")
    record_hash = _b64decode(record_hash, "the record hash")
    # protobuf's JSON leaves out zeroes: no leafIndex is leaf 0.
    leaf_index = _number(_field(proof, "leaf_index"), "leaf_index")
    sequence = _field(_field(event, "record", default={}), "sequence")
    if sequence is not None and _number(sequence, "the record's sequence") != leaf_index + 1:
        raise VerificationError("the proof is for leaf %d, not for the record shown (%s)" %
                                (leaf_index, sequence))
    tree_size = _number(_field(proof, "tree_size"), "tree_size")
    if tree_size != checkpoint.size:
        raise VerificationError("the proof is for a tree of %d leaves, the checkpoint's has %d" %
                                (tree_size, checkpoint.size))
    verify_inclusion(leaf_index, tree_size, leaf_hash(record_hash), _hashes(proof),
                     checkpoint.root)
    print("record %d is leaf %d of the checkpoint's %d" % (leaf_index + 1, leaf_index, tree_size))


def command_consistency(args):
    key = _key(args.key)
    old, new = _checkpoint_file(args.old, key), _checkpoint_file(args.new, key)
    proof = _json(args.proof)
    first = _number(_field(proof, "first_size"), "first_size")
    second = _number(_field(proof, "second_size"), "second_size")
    if (first, second) != (old.size, new.size):
        raise VerificationError("the proof is from %d to %d, the checkpoints' sizes are %d and %d"
                                % (first, second, old.size, new.size))
    verify_consistency(first, second, old.root, new.root, _hashes(proof))
    print("the tree of %d leaves extends the one of %d" % (second, first))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    sub = commands.add_parser("checkpoint", help="verify a checkpoint's signature")
    sub.add_argument("checkpoint")
    sub.set_defaults(run=command_checkpoint)
    sub = commands.add_parser("inclusion", help="verify an inclusion proof")
    sub.add_argument("--checkpoint", required=True)
    sub.add_argument("proof")
    sub.set_defaults(run=command_inclusion)
    sub = commands.add_parser("consistency", help="verify a consistency proof")
    sub.add_argument("--old", required=True)
    sub.add_argument("--new", required=True)
    sub.add_argument("proof")
    sub.set_defaults(run=command_consistency)
    for sub in commands.choices.values():
        sub.add_argument("--key", required=True,
                         help="the verifier key NAME+KEYID+BASE64, or a file holding it")
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except UsageError as error:
        print("verify_tlog.py: %s" % error, file=sys.stderr)
        return 2
    except VerificationError as error:
        print("verify_tlog.py: NOT VERIFIED: %s" % error, file=sys.stderr)
        return 4
    return 0


if __name__ == "__main__":
    sys.exit(main())
