"""A tiny PEP 503 "simple" package index over a directory of wheels, standard library only.

`IndexServer(wheel_dir)` serves, on 127.0.0.1 and a free port:

- `/simple/`: links to every project;
- `/simple/<normalized-name>/`: links to the project's files, each with `#sha256=<hash>`;
- `/files/<filename>`: the file, with `Cache-Control: max-age=365000000, immutable`.

pip caches an HTTP download only when the response allows it, and a plain-http one only
from a trusted host, so builds pass `PIP_INDEX_URL=<url>` and `PIP_TRUSTED_HOST=127.0.0.1`
(pip's own cache then holds the wheels exactly as it would from PyPI). Index pages carry
no caching header: pip asks for them with `max-age=0` anyway.

Every request is counted: `.requests` by file name (downloads: GETs of a file; a HEAD,
which uv sends to ask for range support, sends no file), `.page_requests` by path.
"""

from __future__ import annotations

import collections
import hashlib
import html
import http.server
import re
import threading
from pathlib import Path

IMMUTABLE = "max-age=365000000, immutable"


def normalize(name: str) -> str:
    """PEP 503 name normalization."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _project_of(filename: str) -> str:
    """The normalized project name of a wheel file (its first dash-separated field)."""
    return normalize(filename.split("-", 1)[0])


class IndexServer:
    """A PEP 503 index over `wheel_dir`, served from a background thread until `close()`."""

    def __init__(self, wheel_dir: Path, host: str = "127.0.0.1") -> None:
        self.wheel_dir = Path(wheel_dir)
        self.files: dict[str, Path] = {p.name: p for p in sorted(self.wheel_dir.glob("*.whl"))}
        self.hashes = {name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in self.files.items()}
        self.projects: dict[str, list[str]] = collections.defaultdict(list)
        for name in self.files:
            self.projects[_project_of(name)].append(name)
        self.requests: collections.Counter[str] = collections.Counter()
        self.page_requests: collections.Counter[str] = collections.Counter()
        self._lock = threading.Lock()
        self._httpd = http.server.ThreadingHTTPServer((host, 0), self._handler_class())
        self._httpd.daemon_threads = True
        self.host = host
        self.port = self._httpd.server_address[1]
        self.url = f"http://{host}:{self.port}/simple"
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="e2e-index", daemon=True)
        self._thread.start()

    # ---------------------------------------------------------------- counting helpers
    def snapshot(self) -> collections.Counter[str]:
        """A copy of the per-file download counts (to diff around one build)."""
        with self._lock:
            return collections.Counter(self.requests)

    def downloads_since(self, before: collections.Counter[str]) -> collections.Counter[str]:
        """Per-file downloads since `before` (a `snapshot()`), zero counts dropped."""
        with self._lock:
            return collections.Counter({k: v - before[k] for k, v in self.requests.items() if v - before[k] > 0})

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> IndexServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------------- handler
    def _handler_class(self) -> type[http.server.BaseHTTPRequestHandler]:
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _send(self, status: int, body: bytes, content_type: str, cache: str | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                if cache:
                    self.send_header("Cache-Control", cache)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _page(self, title: str, links: list[tuple[str, str]]) -> None:
                anchors = "\n".join(f'<a href="{html.escape(href)}">{html.escape(text)}</a><br/>' for href, text in links)
                body = (
                    "<!DOCTYPE html>\n<html><head><meta name=\"pypi:repository-version\" content=\"1.0\">"
                    f"<title>{html.escape(title)}</title></head><body>\n{anchors}\n</body></html>\n"
                ).encode()
                self._send(200, body, "text/html; charset=utf-8")

            def do_HEAD(self) -> None:
                self.do_GET()

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0].split("#", 1)[0]
                if path.startswith("/files/"):
                    name = path[len("/files/"):]
                    file = server.files.get(name)
                    if file is None:
                        self._send(404, b"not found\n", "text/plain")
                        return
                    if self.command == "GET":
                        with server._lock:
                            server.requests[name] += 1
                    self._send(200, file.read_bytes(), "application/octet-stream", IMMUTABLE)
                    return
                with server._lock:
                    server.page_requests[path] += 1
                if path in ("/simple", "/simple/"):
                    self._page("Simple index", [(f"{p}/", p) for p in sorted(server.projects)])
                    return
                match = re.fullmatch(r"/simple/([^/]+)/?", path)
                if match and normalize(match.group(1)) in server.projects:
                    project = normalize(match.group(1))
                    if match.group(1) != project or not path.endswith("/"):
                        self.send_response(301)
                        self.send_header("Location", f"/simple/{project}/")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    links = [(f"../../files/{n}#sha256={server.hashes[n]}", n) for n in sorted(server.projects[project])]
                    self._page(f"Links for {project}", links)
                    return
                self._send(404, b"not found\n", "text/plain")

        return Handler


if __name__ == "__main__":  # pragma: no cover - manual use: serve until Ctrl-C
    import sys
    import time

    with IndexServer(Path(sys.argv[1])) as index:
        print(index.url, flush=True)
        while True:
            time.sleep(3600)
