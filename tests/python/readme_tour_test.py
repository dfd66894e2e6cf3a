#!/usr/bin/env python3
"""Runs the README's shell blocks word for word, as a new user would paste them.

From "A five-minute tour" to the end of "The auditor's proofs", every ```sh block runs in one
bash, in order, in a scratch directory that looks like the repository root (build/ is the
build tree, examples/ and scripts/ the source's), so the ledgers are fresh. Every command line
must exit as its comment says: a comment starting "refused (exit N)" exits N, "refused" non-zero,
anything else 0. After a block, the servers it started are waited for, as a user would wait for
the prompt after `kill %1`.

usage: readme_tour_test.py SOURCE_DIR BUILD_DIR
"""
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile

FIRST_SECTION = "## A five-minute tour"
LAST_SECTION = "## The auditor's proofs"


def blocks(readme):
    """The ```sh blocks between FIRST_SECTION and the section after LAST_SECTION."""
    text = readme[readme.index(FIRST_SECTION):]
    end = text.find("\n## ", text.index(LAST_SECTION) + 1)
    text = text if end < 0 else text[:end]
    return re.findall(r"```sh\n(.*?)```", text, re.S)


def logical_lines(block):
    """Lines with their continuations (a trailing backslash) joined."""
    out, current = [], ""
    for line in block.splitlines():
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        out.append(current + line)
        current = ""
    return [l for l in out if l.strip()]


def split_comment(line):
    """(command, comment): the comment is the text after the first # outside quotes."""
    in_single = in_double = False
    for i, c in enumerate(line):
        if c == "'" and not in_double:
            in_single = not in_single
        elif c == '"' and not in_single:
            in_double = not in_double
        elif c == "#" and not in_single and not in_double and (i == 0 or line[i - 1] in " \t"):
            return line[:i].rstrip(), line[i + 1:].strip()
    return line.rstrip(), ""


def expected_exit(comment):
    """None: any non-zero; otherwise the exit code the comment promises."""
    if not comment.startswith("refused"):
        return 0
    m = re.search(r"exit (\d)", comment)
    return int(m.group(1)) if m else None


def port_free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def main():
    source, build = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    for port in (50051, 8080):
        if not port_free(port):
            print(f"skipped: port {port}, which the README's tour uses, is in use")
            return 77
    with open(os.path.join(source, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    root = tempfile.mkdtemp(prefix="grantledger-tour-")
    failures = []
    try:
        os.symlink(build, os.path.join(root, "build"))
        for d in ("examples", "scripts", "docs"):
            os.symlink(os.path.join(source, d), os.path.join(root, d))
        script = ["set +e", "__fail=0",
                  "__check() { local want=$1 line=$2; eval \"$line\"; local rc=$?;",
                  "  if { [ \"$want\" = any ] && [ $rc -eq 0 ]; } || "
                  "{ [ \"$want\" != any ] && [ $rc -ne \"$want\" ]; }; then",
                  "    echo \"TOUR FAILED (exit $rc, expected $want): $line\" >&2; __fail=1; fi; }"]
        count = 0
        for n, block in enumerate(blocks(readme), 1):
            script.append(f"echo '--- block {n}' >&2")
            for line in logical_lines(block):
                command, comment = split_comment(line)
                if not command:
                    continue
                want = expected_exit(comment)
                if command.endswith("&") or command.startswith("kill %"):
                    script.append(command)  # starting and stopping the server
                    if command.endswith("&"):
                        script.append("sleep 0.5")
                    continue
                count += 1
                script.append(f"__check {'any' if want is None else want} {shlex.quote(command)}")
            script.append("wait")
        script.append("kill $(jobs -p) 2>/dev/null; wait")
        script.append("exit $__fail")
        env = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8")
        env.pop("GRANTLEDGER_TLS_CA", None)
        run = subprocess.run(["bash", "-c", "\n".join(script)], cwd=root, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             timeout=600)
        sys.stdout.write(run.stdout[-4000:])
        sys.stderr.write(run.stderr[-8000:])
        if run.returncode != 0:
            failures.append("a README command did not exit as its comment says (see above)")
        if count < 40:
            failures.append(f"only {count} README commands found: did the sections move?")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    for f in failures:
        print("FAIL:", f)
    print(f"readme tour: {count} commands" + (" passed" if not failures else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
