"""A local HTTP server that plays GitHub's REST API for the requests `dockerfix pr` makes.

Every request is checked against `github_openapi.json`, the operations' part of GitHub's
published description (npm @octokit/openapi 23.0.2, `generated/api.github.com.json`; made
by scripts/github-openapi-subset, which records the file's sha256): the method and path
must be an operation there, the path and query parameters must have its types and enums,
and a JSON body must validate against its request schema, with no property the schema
does not name (a misspelt field would otherwise pass silently). The headers GitHub wants
are checked too: the token, the API version, a User-Agent. A request that breaks a rule
is answered as GitHub would (400, 404, 422) and recorded in `violations`, which a test
asserts empty.

The pull requests live in the server; a head branch must exist in the bare repository
the test pushes to, as GitHub checks. `faults` queues responses (a rate limit, say) to
give before the real ones; `close_by_person` and `merge` play what people do on GitHub.
"""

from __future__ import annotations

import json
import re
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from jsonschema import Draft4Validator

DESCRIPTION = json.loads((Path(__file__).with_name("github_openapi.json")).read_text())
API_VERSION = "2022-11-28"


class Request:
    """One request as the server saw it."""

    def __init__(self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: Any) -> None:
        self.method, self.path, self.query, self.headers, self.body = method, path, query, headers, body

    def __repr__(self) -> str:
        return f"{self.method} {self.path} {self.query or ''} {self.body or ''}".strip()


class FakeGitHub:
    """GitHub for one repository (`owner/name`, default branch `main`) whose git side is `remote`."""

    def __init__(self, remote: Path, token: str, owner: str = "o", name: str = "r", prefix: str = "") -> None:
        self.remote, self.token, self.owner, self.name, self.prefix = remote, token, owner, name, prefix
        self.default_branch = "main"
        self.pulls: list[dict[str, Any]] = []
        self.comments: list[tuple[int, str]] = []
        self.requests: list[Request] = []
        self.violations: list[str] = []
        self.faults: list[tuple[int, dict[str, str], dict[str, Any]]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{self.prefix}"

    def __enter__(self) -> FakeGitHub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def writes(self) -> list[Request]:
        return [request for request in self.requests if request.method != "GET"]

    def close_by_person(self, number: int) -> None:
        self._pull(number)["state"] = "closed"

    def merge(self, number: int) -> None:
        pull = self._pull(number)
        pull["state"], pull["merged_at"] = "closed", "2026-12-07T12:00:00Z"

    def _pull(self, number: int) -> dict[str, Any]:
        return next(pull for pull in self.pulls if pull["number"] == number)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def do_PATCH(self) -> None:
                self._serve("PATCH")

            def _serve(self, method: str) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                with fake._lock:
                    status, headers, payload = fake._answer(method, self.path, dict(self.headers.items()), raw)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json; charset=utf-8")
                self.send_header("content-length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def _answer(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, str], Any]:
        split = urlsplit(target)
        path = split.path.removeprefix(self.prefix) if split.path.startswith(self.prefix + "/") else split.path
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        lowered = {key.lower(): value for key, value in headers.items()}
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        request = Request(method, path, query, lowered, body)
        self.requests.append(request)
        if self.faults:
            return self.faults.pop(0)
        limits = {"x-ratelimit-limit": "5000", "x-ratelimit-remaining": "4999", "x-ratelimit-reset": str(int(time.time()) + 3600)}
        refusal = self._refusal(request)
        if refusal is not None:
            self.violations.append(f"{request!r}: {refusal[1]['message']}")
            return refusal[0], limits, refusal[1]
        status, payload = self._serve(request)
        return status, limits, payload

    def _refusal(self, request: Request) -> tuple[int, dict[str, Any]] | None:
        """Why GitHub would refuse the request as sent (its description and headers), or None."""
        authorization = request.headers.get("authorization", "")
        if authorization not in (f"Bearer {self.token}", f"token {self.token}"):
            return 401, {"message": "Bad credentials"}
        if request.headers.get("x-github-api-version") != API_VERSION:
            return 400, {"message": f"X-GitHub-Api-Version must be {API_VERSION}"}
        if not request.headers.get("user-agent", "").startswith("dockerfix/"):
            return 403, {"message": "Request forbidden: a User-Agent naming the client is required"}
        found = _operation(request.method, request.path)
        if found is None:
            return 404, {"message": f"Not Found: no operation {request.method} {request.path}"}
        operation, values = found
        for parameter in map(_resolved, operation.get("parameters", [])):
            where, name, schema = parameter["in"], parameter["name"], parameter.get("schema", {})
            given = values.get(name) if where == "path" else request.query.get(name)
            if given is None:
                if parameter.get("required"):
                    return 422, {"message": f"missing {where} parameter {name}"}
                continue
            problem = _parameter_problem(given, schema)
            if problem:
                return 422, {"message": f"{where} parameter {name}: {problem}"}
        known = {_resolved(parameter)["name"] for parameter in operation.get("parameters", []) if _resolved(parameter)["in"] == "query"}
        unknown = sorted(set(request.query) - known)
        if unknown:
            return 422, {"message": f"unknown query parameters {unknown}"}
        if (values.get("owner"), values.get("repo")) != (self.owner, self.name):
            return 404, {"message": "Not Found"}
        return _body_problem(operation, request)

    def _serve(self, request: Request) -> tuple[int, Any]:
        """What GitHub answers to a valid request."""
        operation, values = _operation(request.method, request.path) or ({}, {})
        kind = operation["operationId"]
        if kind == "repos/get":
            return 200, {"full_name": f"{self.owner}/{self.name}", "default_branch": self.default_branch}
        if kind == "pulls/list":
            state = request.query.get("state", "open")
            head = request.query.get("head")
            found = [pull for pull in reversed(self.pulls)
                     if (state == "all" or pull["state"] == state) and (head is None or pull["head"]["label"] == head)]  # fmt: skip
            return 200, found
        if kind == "pulls/create":
            return self._create(request.body)
        number = int(values.get("pull_number") or values.get("issue_number") or 0)
        if not any(pull["number"] == number for pull in self.pulls):
            return 404, {"message": "Not Found"}
        if kind == "pulls/update":
            self._pull(number).update(request.body or {})
            return 200, self._pull(number)
        self.comments.append((number, request.body["body"]))
        return 201, {"id": len(self.comments), "body": request.body["body"]}

    def _create(self, body: dict[str, Any]) -> tuple[int, Any]:
        for branch, field in ((body["head"], "head"), (body["base"], "base")):
            if not self._branch_exists(branch):
                return 422, {"message": "Validation Failed", "errors": [{"resource": "PullRequest", "field": field, "code": "invalid"}]}
        label = f"{self.owner}:{body['head']}"
        if any(pull["state"] == "open" and pull["head"]["label"] == label for pull in self.pulls):
            return 422, {"message": "Validation Failed", "errors": [{"message": f"A pull request already exists for {label}."}]}
        number = len(self.pulls) + 1
        pull = {
            "number": number, "state": "open", "title": body.get("title"), "body": body.get("body"), "merged_at": None,
            "html_url": f"https://github.example/{self.owner}/{self.name}/pull/{number}",
            "head": {"ref": body["head"], "label": label}, "base": {"ref": body["base"]},
        }  # fmt: skip
        self.pulls.append(pull)
        return 201, pull

    def _branch_exists(self, branch: str) -> bool:
        done = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}"], cwd=self.remote, capture_output=True)
        return done.returncode == 0


def _operation(method: str, path: str) -> tuple[dict[str, Any], dict[str, str]] | None:
    """The described operation a request is for, with its path parameters' values."""
    for template, operations in DESCRIPTION["paths"].items():
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
        matched = re.fullmatch(pattern, path)
        if matched and method.lower() in operations:
            return operations[method.lower()], matched.groupdict()
    return None


def _resolved(node: dict[str, Any]) -> dict[str, Any]:
    """A `$ref` to a component, followed."""
    while "$ref" in node:
        kind, name = node["$ref"].split("/")[2:4]
        node = DESCRIPTION["components"][kind][name]
    return node


def _parameter_problem(value: str, schema: dict[str, Any]) -> str | None:
    if schema.get("type") == "integer" and not value.isdigit():
        return f"{value!r} is not an integer"
    if "enum" in schema and value not in schema["enum"]:
        return f"{value!r} is not one of {schema['enum']}"
    return None


def _body_problem(operation: dict[str, Any], request: Request) -> tuple[int, dict[str, Any]] | None:
    """The request body against the operation's schema, closed to properties it does not name."""
    described = operation.get("requestBody")
    if described is None:
        return (400, {"message": "this operation takes no body"}) if request.body is not None else None
    if request.body is None:
        return (400, {"message": "a JSON body is required"}) if described.get("required") else None
    if not request.headers.get("content-type", "").startswith("application/json"):
        return 415, {"message": "the body must be application/json"}
    schema = {**described["content"]["application/json"]["schema"], "additionalProperties": False}
    errors = sorted(error.message for error in Draft4Validator(schema).iter_errors(request.body))
    return (422, {"message": "Invalid request: " + "; ".join(errors)}) if errors else None
