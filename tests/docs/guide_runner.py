"""Run a guide's examples as a reader would, and say where they differ from what it claims.

One guide runs in one fresh work folder laid out like a clone (``examples/`` copied,
``docs/images/`` empty, so the commands' relative paths work) with ``HOME`` inside it, no
``AWS_*`` or ``IAMWARDEN_*`` variable from the caller's environment, and the venv's ``bin/`` first
on ``PATH`` (its ``iamwarden``, ``python`` and ``aws``). Blocks run in order and share the folder,
not shell state: each block sets what it needs. A block that starts ``iamwarden serve`` runs in
the background until the guide ends; ``127.0.0.1:4577`` and ``--port 4577`` in the guide are moved
to a free port first, so guides can use the documented default while tests run side by side.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from .markdown_blocks import Block, missing_lines, parse_blocks

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
DOC_PORT = 4577
BLOCK_TIMEOUT = 120  # seconds; a hang guard, not a speed goal
SERVER_READY = "iamwarden endpoint on "
_PORT = re.compile(rf"(?<=127\.0\.0\.1:){DOC_PORT}\b|(?<=--port ){DOC_PORT}\b")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def guide_blocks(path: Path, port: int | None = None) -> list[Block]:
    """The blocks of a guide; with ``port``, the documented port moved to it (server guides)."""
    text = path.read_text(encoding="utf-8")
    if port is not None:
        text = _PORT.sub(str(port), text)
    return parse_blocks(text, str(path.relative_to(REPO)) if path.is_relative_to(REPO) else path.name)


def needs_server(path: Path) -> bool:
    return any(b.is_server and b.runnable for b in guide_blocks(path))


def prepare(work: Path) -> dict[str, str]:
    """Lay out the work folder and return the environment every block runs with."""
    shutil.copytree(REPO / "examples", work / "examples")
    (work / "docs" / "images").mkdir(parents=True)
    (work / "home").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "IAMWARDEN_"))}
    env.update(
        PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        HOME=str(work / "home"),
        AWS_EC2_METADATA_DISABLED="true",  # no credential lookups beyond what a block sets
        PYTHONDONTWRITEBYTECODE="1",
        COLUMNS="200",
    )
    return env


class Server:
    """A background ``iamwarden serve`` block and everything it printed (a process, not a value)."""

    def __init__(self, block: Block, proc: subprocess.Popen[str]):
        self.block = block
        self.proc = proc
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._pump, daemon=True)
        self._reader.start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for ln in self.proc.stdout:
            self.lines.append(ln)

    def wait_ready(self, timeout: float = 60) -> str | None:
        """None when ready, else what went wrong."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(SERVER_READY in ln for ln in self.lines):
                return None
            if self.proc.poll() is not None:
                self._reader.join(timeout=5)
                return f"server block exited {self.proc.returncode} before it was ready:\n{_indent(self.output)}"
            time.sleep(0.05)
        return f"server block not ready after {timeout:.0f} s:\n{_indent(self.output)}"

    def stop(self) -> None:
        """SIGTERM to the block's process group (bash and serve), SIGKILL if it lingers."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._reader.join(timeout=5)

    @property
    def output(self) -> str:
        return "".join(self.lines)


def _run(argv: list[str], work: Path, env: dict[str, str], stdin: str | None = None) -> tuple[int, str]:
    p = subprocess.run(argv, cwd=work, env=env, input=stdin, text=True, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=BLOCK_TIMEOUT)
    return p.returncode, p.stdout


def _mismatch(block: Block, what: str, expected: tuple[str, ...], output: str) -> str | None:
    missing = missing_lines(expected, output)
    if not missing:
        return None
    return (f"{block.where}: {what} does not print what the guide shows.\n"
            f"  first line not found (in order): {missing[0].strip()!r}\n"
            f"  actual output:\n{_indent(output)}")


def _indent(text: str) -> str:
    return "\n".join("    | " + ln for ln in text.rstrip("\n").splitlines()) or "    | (nothing)"


def run_block(block: Block, work: Path, env: dict[str, str], scripts: Path) -> list[str]:
    """Run one block; the problems found (empty = it runs as written and prints what it shows)."""
    stem = f"{Path(block.source).stem.replace('-', '_')}_l{block.line}"
    if block.lang in ("sh", "bash"):
        script = scripts / f"{stem}.sh"
        script.write_text(block.code + "\n", encoding="utf-8")
        rc, out = _run(["bash", "-euo", "pipefail", str(script)], work, env)
        if rc != 0:
            return [f"{block.where}: shell block exited {rc} under bash -euo pipefail:\n{_indent(out)}"]
        problem = _mismatch(block, "shell block", block.expected, out)
        return [problem] if problem else []
    if block.lang == "python":
        script = scripts / (f"test_{stem}.py" if block.is_pytest else f"{stem}.py")
        script.write_text(block.code + "\n", encoding="utf-8")
        argv = [sys.executable, str(script)]
        if block.is_pytest:
            argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(scripts),
                    str(script)]
        rc, out = _run(argv, work, env)
        if rc != 0:
            return [f"{block.where}: python block exited {rc}:\n{_indent(out)}"]
        problem = _mismatch(block, "python block", block.expected, out)
        return [problem] if problem else []
    if block.lang == "console":
        return _run_transcript(block, work, env, scripts / f"{stem}.sh")
    raise AssertionError(f"{block.where}: not a runnable language: {block.lang}")


def _run_transcript(block: Block, work: Path, env: dict[str, str], script: Path) -> list[str]:
    """Each ``$`` command in one bash, with ``$?`` carried from one command to the next."""
    mark = "@@iamwarden-docs-command@@"
    parts = ["__rc=0"]
    for cmd in block.commands:
        parts += [f"printf '\\n%s\\n' '{mark}'", f"(exit $__rc); {cmd.text}", "__rc=$?"]
    script.write_text("\n".join(parts) + "\n", encoding="utf-8")
    _, out = _run(["bash", "-u", "-o", "pipefail", str(script)], work, env)
    chunks = out.split(f"\n{mark}\n")[1:]
    if len(chunks) != len(block.commands):
        return [f"{block.where}: transcript stopped early:\n{_indent(out)}"]
    problems = []
    for cmd, chunk in zip(block.commands, chunks, strict=True):
        p = _mismatch(block, f"`{cmd.text.splitlines()[0]}` (line {cmd.line})", cmd.expected, chunk)
        if p:
            problems.append(p)
    return problems


def run_guide(path: Path, work: Path) -> list[str]:
    """Run every runnable block of ``path`` in order in ``work``; all problems found."""
    port = free_port() if needs_server(path) else None
    blocks = guide_blocks(path, port)
    env = prepare(work)
    scripts = work.parent / f"{work.name}-blocks"
    scripts.mkdir()
    problems: list[str] = []
    servers: list[Server] = []
    try:
        for b in blocks:
            if b.file:
                (work / b.file).write_text(b.code + "\n", encoding="utf-8")
                continue
            if not b.runnable:
                continue
            if b.is_server:
                if servers:
                    problems.append(f"{b.where}: a guide may start one server")
                    continue
                if f"--port {port}" not in b.code:
                    problems.append(f"{b.where}: give `iamwarden serve` --port {DOC_PORT} so the test can move it")
                    continue
                script = scripts / f"server_l{b.line}.sh"
                script.write_text(b.code + "\n", encoding="utf-8")
                proc = subprocess.Popen(["bash", "-euo", "pipefail", str(script)], cwd=work, env=env, text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
                srv = Server(b, proc)
                servers.append(srv)
                err = srv.wait_ready()
                if err:
                    problems.append(f"{b.where}: {err}")
                    break
                continue
            problems += run_block(b, work, env, scripts)
    finally:
        for srv in servers:
            srv.stop()
    for srv in servers:
        p = _mismatch(srv.block, "server block", srv.block.expected, srv.output)
        if p:
            problems.append(p)
    return problems
