"""A Hub-compatible server on 127.0.0.1 that serves the tiny repos under their real ids, with git history.

- `olah` (PyPI, MIT; https://github.com/vtuber-plan/olah) serves local git repositories as Hub repos with
  `offline = true` and `mirrors-path` (olah/mirror/repos.py): refs, revision info, trees, paths-info, and
  `resolve/<revision>/<file>` with the headers huggingface_hub's file_download.py reads (`x-repo-commit`,
  `etag`, `content-length`; an LFS file's etag is its sha256, as on the Hub). It runs from its own virtual
  environment (`.venv-hub`, requirements-hub.txt): it needs pydantic >= 2.13, gradio[mcp] 6.31 pins 2.12.
- `MirrorRepo` is one such repository: `git init`, then one commit per fixture revision. Weights are stored
  as the Hub stores them, Git LFS pointers (`.gitattributes`: `*.safetensors filter=lfs ...`) with the
  objects under `.git/lfs/objects/<aa>/<bb>/<sha256>`, where olah reads them.
- `HubFront` is the address the app is given (HF_ENDPOINT): a plain HTTP proxy in front of olah that logs
  every request and fails on demand as a real Hub or network can: a 404 or 500 with the Hub's error
  headers (`X-Error-Code`, `X-Error-Message`, read by huggingface_hub utils/_http.py hf_raise_for_status),
  an answer slower than the client's timeout, a body cut off half-way, or no server at all (`stop()`).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.conftest import REPO_ROOT, free_port

OLAH = Path(os.environ.get("POLYGLOT_OLAH") or REPO_ROOT / ".venv-hub" / "bin" / "olah-cli")
INSTALL_OLAH = "python3 -m venv .venv-hub && .venv-hub/bin/pip install -r requirements-hub.txt"
LFS_SUFFIXES = (".safetensors", ".bin", ".model")
# The .gitattributes every new Hub repo starts with marks these, among others (*.7z … *.ckpt *.ftz *.gz *.h5 … *.zst),
# as LFS: its list as copied in many public repositories (found with the workplace's code search, "*.model
# filter=lfs diff=lfs merge=lfs -text"). The real mms-* repos' own .gitattributes were not read: UNVERIFIED.
GITATTRIBUTES = "".join(f"*{suffix} filter=lfs diff=lfs merge=lfs -text\n" for suffix in LFS_SUFFIXES)


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "fixture", "GIT_AUTHOR_EMAIL": "fixture@example.org",
           "GIT_COMMITTER_NAME": "fixture", "GIT_COMMITTER_EMAIL": "fixture@example.org"}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout.strip()


class MirrorRepo:
    """A model repo as olah serves it: `<mirrors>/models/<org>/<name>`, a git work tree with LFS objects."""

    def __init__(self, mirrors: Path, repo_id: str):
        self.repo_id = repo_id
        self.path = mirrors / "models" / repo_id
        self.path.mkdir(parents=True)
        _git(self.path, "init", "-q", "-b", "main")

    def commit(self, source: Path, message: str, skip: tuple[str, ...] = (), replace: dict[str, Path] | None = None) -> str:
        """Make the work tree hold `source`'s files (without `skip`, with `replace`'s files instead of theirs), commit
        it on main, and return the commit id."""
        for entry in self.path.iterdir():
            if entry.name != ".git":
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        (self.path / ".gitattributes").write_text(GITATTRIBUTES)
        files = {file.name: file for file in source.iterdir() if file.is_file() and file.name not in skip}
        files.update(replace or {})
        for name, file in files.items():
            data = file.read_bytes()
            if name.endswith(LFS_SUFFIXES):
                oid = hashlib.sha256(data).hexdigest()
                obj = self.path / ".git" / "lfs" / "objects" / oid[:2] / oid[2:4] / oid
                obj.parent.mkdir(parents=True, exist_ok=True)
                obj.write_bytes(data)
                data = f"version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {len(data)}\n".encode()
            (self.path / name).write_bytes(data)
        _git(self.path, "add", "-A")
        _git(self.path, "commit", "-q", "--allow-empty", "-m", message)
        return _git(self.path, "rev-parse", "HEAD")


@dataclass
class Fault:
    path_part: str  # applies to requests whose path contains this
    kind: str  # "404", "500", "slow", "cut"
    seconds: float = 0.0  # "slow": how long before answering
    methods: tuple[str, ...] = ("HEAD", "GET", "POST")


class HubFront:
    """The Hub's address for the app: forwards to olah, logs, and fails on demand (see the module)."""

    def __init__(self, upstream_port: int, port: int):
        self.upstream_port, self.port = upstream_port, port
        self.requests: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self._connections: set[socket.socket] = set()  # open client connections (HTTP/1.1 keeps them alive)
        self.faults: list[Fault] = []
        self.paces: dict[str, float] = {}  # path part -> bytes per second: those files sent slowly, to watch progress
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def slow_down(self, path_part: str, bytes_per_second: float) -> None:
        """Send the files whose path contains `path_part` at `bytes_per_second`."""
        self.paces[path_part] = bytes_per_second

    def fail(self, path_part: str, kind: str, seconds: float = 0.0, methods: tuple[str, ...] = ("HEAD", "GET", "POST")) -> None:
        self.faults.append(Fault(path_part, kind, seconds, methods))

    def heal(self) -> None:
        self.faults.clear()
        self.paces.clear()

    def asked(self, method: str, path_part: str) -> list[str]:
        return [path for asked_method, path in list(self.requests) if asked_method == method and path_part in path]

    def start(self) -> None:
        front = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def setup(self):
                super().setup()
                front._connections.add(self.connection)

            def finish(self):
                front._connections.discard(self.connection)
                super().finish()

            def do_HEAD(self):
                self._forward("HEAD")

            def do_GET(self):
                self._forward("GET")

            def do_POST(self):
                self._forward("POST")

            def _forward(self, method: str) -> None:
                front.requests.append((method, self.path))
                fault = next((f for f in front.faults if f.path_part in self.path and method in f.methods), None)
                if fault is not None and fault.kind in ("404", "500"):
                    code = "EntryNotFound" if fault.kind == "404" else None
                    return self._answer(int(fault.kind), {"X-Error-Code": code} if code else {},
                                        json.dumps({"error": f"fixture {fault.kind}"}).encode(), method)
                if fault is not None and fault.kind == "slow":
                    time.sleep(fault.seconds)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                upstream = http.client.HTTPConnection("127.0.0.1", front.upstream_port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                upstream.request(method, self.path, body=body, headers=headers)
                response = upstream.getresponse()
                data = response.read()
                passed = {k: v for k, v in response.getheaders()
                          if k.lower() not in ("content-length", "transfer-encoding", "connection")}
                if method == "HEAD":
                    # olah's HEAD carries the file's length, with no body to measure it by.
                    passed["Content-Length"] = response.getheader("content-length") or "0"
                upstream.close()
                if fault is not None and fault.kind == "cut" and method == "GET" and len(data) > 1:
                    # The server dies half-way: the promised length, half the bytes, then the connection closes.
                    self.send_response(response.status)
                    for key, value in passed.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data[: len(data) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self._answer(response.status, passed, data, method)

            def _answer(self, status: int, headers: dict, data: bytes, method: str) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if method == "HEAD":
                    return
                pace = next((pace for part, pace in front.paces.items() if part in self.path), None)
                if pace and "/resolve/" in self.path:
                    step = max(1, int(pace / 10))
                    for start in range(0, len(data), step):
                        self.wfile.write(data[start:start + step])
                        self.wfile.flush()
                        time.sleep(0.1)
                else:
                    self.wfile.write(data)

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address) -> None:
                # A client that gave up (its timeout) or a fault's own cut: the log says which, without a traceback.
                import sys

                front.errors.append(repr(sys.exc_info()[1]))

        self._server = Server(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """No server at that address any more: connections are refused."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        for connection in list(self._connections):  # kept-alive connections too: the server is gone
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class HubServer:
    """olah over a mirrors folder, and the front the app talks to."""

    def __init__(self, root: Path):
        self.root = root
        self.mirrors = root / "mirrors"
        self.mirrors.mkdir(parents=True, exist_ok=True)
        self.log = root / "olah.log"
        self.front = HubFront(free_port(), free_port())
        self._process: subprocess.Popen | None = None
        self._repos: dict[str, MirrorRepo] = {}

    def repo(self, repo_id: str) -> MirrorRepo:
        """The served repository `repo_id`, made empty on first use."""
        if repo_id not in self._repos:
            self._repos[repo_id] = MirrorRepo(self.mirrors, repo_id)
        return self._repos[repo_id]

    def start(self) -> None:
        if not OLAH.exists():
            raise RuntimeError(f"The Hub-compatible test server isn't installed ({OLAH}); run: {INSTALL_OLAH}")
        config = self.root / "olah.toml"
        config.write_text(
            "[basic]\n"
            f'host = "127.0.0.1"\nport = {self.front.upstream_port}\n'
            f'mirror-netloc = "127.0.0.1:{self.front.port}"\nmirror-lfs-netloc = "127.0.0.1:{self.front.port}"\n'
            f'repos-path = "{self.root / "olah-repos"}"\nmirrors-path = ["{self.mirrors}"]\n'
            "metadata-cache-ttl = 0\n"
            "[accessibility]\noffline = true\n"
        )
        with open(self.log, "w") as output:
            self._process = subprocess.Popen([str(OLAH), "-c", str(config), "--log-path", str(self.root / "olah-logs")],
                                             stdout=output, stderr=subprocess.STDOUT, cwd=self.root)
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.front.upstream_port), timeout=1).close()
                break
            except OSError:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("olah did not start:\n" + self.log.read_text())
                time.sleep(0.2)
        self.front.start()

    def stop(self) -> None:
        self.front.stop()
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=20)
            self._process = None
