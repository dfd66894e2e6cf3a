"""The message modules of proto/ for the Python tests: generated with protoc at test time into a
directory of the test's own, and put on sys.path (`from grantledger.v1 import events_pb2`)."""
import os
import subprocess
import sys


def generate(source_dir, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    proto_dir = os.path.join(source_dir, "proto")
    protos = sorted(
        os.path.join("grantledger", "v1", f)
        for f in os.listdir(os.path.join(proto_dir, "grantledger", "v1"))
        if f.endswith(".proto"))
    subprocess.run(["protoc", "-I", proto_dir, "--python_out", out_dir] + protos, check=True)
    sys.path.insert(0, out_dir)
