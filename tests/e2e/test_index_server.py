"""The local package index itself (no builder needed): PEP 503 pages, hashes, caching, counts."""

from __future__ import annotations

import hashlib
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .index_server import IMMUTABLE, IndexServer


@pytest.fixture
def index(tmp_path: Path):  # type: ignore[no-untyped-def]
    (tmp_path / "Foo_Bar-1.0-py3-none-any.whl").write_bytes(b"wheel one")
    (tmp_path / "six-1.16.0-py2.py3-none-any.whl").write_bytes(b"wheel two")
    with IndexServer(tmp_path) as server:
        yield server


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_pages_link_every_file_with_its_hash(index: IndexServer) -> None:
    assert index.url == f"http://127.0.0.1:{index.port}/simple" and index.host == "127.0.0.1"
    status, _, body = get(index.url + "/")
    assert status == 200 and b'href="foo-bar/"' in body and b'href="six/"' in body
    status, headers, body = get(index.url + "/foo-bar/")
    assert status == 200 and "Cache-Control" not in headers
    digest = hashlib.sha256(b"wheel one").hexdigest()
    assert re.search(rf'href="../../files/Foo_Bar-1.0-py3-none-any.whl#sha256={digest}"', body.decode())


def test_names_are_normalized(index: IndexServer) -> None:
    status, _, body = get(index.url + "/Foo.Bar/")  # redirected to /simple/foo-bar/
    assert status == 200 and b"Foo_Bar-1.0" in body
    assert get(index.url + "/nothing-here/")[0] == 404


def test_files_are_immutable_and_counted(index: IndexServer) -> None:
    before = index.snapshot()
    base = index.url.rsplit("/simple", 1)[0]
    for _ in range(2):
        status, headers, body = get(base + "/files/six-1.16.0-py2.py3-none-any.whl")
        assert status == 200 and body == b"wheel two" and headers["Cache-Control"] == IMMUTABLE
    assert get(base + "/files/missing.whl")[0] == 404
    assert index.requests["six-1.16.0-py2.py3-none-any.whl"] == 2
    assert index.downloads_since(before) == {"six-1.16.0-py2.py3-none-any.whl": 2}
    assert index.page_requests == {}


def test_a_head_request_is_not_a_download(index: IndexServer) -> None:
    """uv sends HEAD for a wheel (does the server take range requests?) before it GETs it."""
    base = index.url.rsplit("/simple", 1)[0]
    request = urllib.request.Request(base + "/files/six-1.16.0-py2.py3-none-any.whl", method="HEAD")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200 and response.read() == b""
    assert index.requests == {}
