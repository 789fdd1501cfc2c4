"""Safety: HTTPS only, the checksum checked before a download is used or cached, JSON only,
and no name built from a configuration can write outside its folder.

The download tests run a real HTTPS server on 127.0.0.1 with a throw-away certificate that
this process trusts through ``SSL_CERT_FILE``: regcheck's own download code runs unchanged.
"""

from __future__ import annotations

import hashlib
import http.server
import re
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from support import UNREACHABLE_URL, Project

from regcheck.engine.grid import grid_for
from regcheck.errors import BaselineError, DataError
from regcheck.studies.heart import study
from regcheck.studies.heart.configs import GRIDS, is_safe_id
from regcheck.studies.heart.data import load_heart
from regcheck.studies.heart.uci import ORIGINAL_SHA256

PACKAGE = Path(__file__).resolve().parents[2] / "regcheck"


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, bytes]] = {}
    port = 0

    def do_GET(self) -> None:
        if self.path == "/to-plain-http":
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.1:{self.port}/original")
            self.end_headers()
            return
        body = self.routes.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, format: str, *args: Any) -> None:  # keep the test output clean
        pass


@pytest.fixture(scope="module")
def https_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(base URL, certificate) of a local HTTPS server; its routes are set by each test."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make the test server's certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    _Handler.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{_Handler.port}", cert
    server.shutdown()
    server.server_close()


@pytest.fixture
def serve(https_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch, isolated_env: None) -> Any:
    base, cert = https_server
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))

    def point_download_at(path: str, body: bytes | None = None) -> str:
        if body is not None:
            _Handler.routes[path] = body
        url = base + path
        monkeypatch.setenv("REGCHECK_UCI_URL", url)
        return url

    return point_download_at


def cache_files(tmp_path: Path) -> list[str]:
    cache = tmp_path / "cache"
    return sorted(path.name for path in cache.rglob("*")) if cache.exists() else []


def test_a_download_is_checked_converted_and_cached_byte_for_byte(
    serve: Any, uci_original: Path, heart_bytes: bytes, tmp_path: Path
) -> None:
    serve("/original", uci_original.read_bytes())
    table = load_heart()
    assert table.source == "downloaded from UCI"
    assert (tmp_path / "cache" / "heart.csv").read_bytes() == heart_bytes
    assert load_heart().source == "user cache"  # the next run uses the cache, no download


def test_a_download_with_a_wrong_checksum_is_refused_before_use_and_nothing_is_cached(
    serve: Any, uci_original: Path, tmp_path: Path
) -> None:
    # A '?' in the age column would also break the conversion: the checksum must speak first.
    tampered = uci_original.read_bytes().replace(b"63.0,", b"?,", 1)
    url = serve("/tampered", tampered)
    with pytest.raises(DataError) as raised:
        load_heart()
    found = hashlib.sha256(tampered).hexdigest()
    assert str(raised.value) == (f"{url}: checksum mismatch: sha256 is {found}, expected {ORIGINAL_SHA256}; nothing was cached")
    assert cache_files(tmp_path) == []


def test_a_redirect_to_plain_http_is_refused(serve: Any, uci_original: Path, tmp_path: Path) -> None:
    serve("/original", uci_original.read_bytes())
    url = serve("/to-plain-http")
    with pytest.raises(DataError) as raised:
        load_heart()
    plain = url.replace("https://", "http://").replace("/to-plain-http", "/original")
    assert str(raised.value) == f"{url}: redirected to {plain}; only https:// addresses are allowed"
    assert cache_files(tmp_path) == []


def test_a_plain_http_download_address_is_refused_before_any_connection(
    project: Project, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGCHECK_UCI_URL", "http://archive.ics.uci.edu/processed.cleveland.data")
    result = cli("run", "--model", "logreg")
    assert (result.rc, result.out) == (2, "")
    assert result.err == (
        "regcheck: error: REGCHECK_UCI_URL=http://archive.ics.uci.edu/processed.cleveland.data: "
        "only https:// addresses are allowed for the download\n"
    )


def test_offline_the_error_says_exactly_where_to_put_the_file(project: Project, cli: Any, tmp_path: Path) -> None:
    result = cli("run", "--model", "logreg")
    assert (result.rc, result.out) == (2, "")
    pattern = (
        rf"regcheck: error: heart data not found and the download from {re.escape(UNREACHABLE_URL)} failed \(.+\); "
        rf"offline, put heart.csv in {re.escape(str(tmp_path / 'cache'))}, or set REGCHECK_DATA_DIR to a folder "
        r"holding heart.csv or processed.cleveland.data\n"
    )
    assert re.fullmatch(pattern, result.err), result.err
    assert cache_files(tmp_path) == []


# --- JSON only --------------------------------------------------------------------------------

UNSAFE_LOADERS = re.compile(r"\b((import|from) (pickle|cPickle|marshal|shelve|dill|yaml)\b|eval\(|exec\()")


def test_no_module_of_regcheck_can_load_pickle_or_evaluate_text() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{number}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if UNSAFE_LOADERS.search(line)
    ]
    assert offenders == []


# --- names cannot escape their folder ----------------------------------------------------------

ESCAPING_NAMES = ["../../outside", "/tmp/outside", "a/b", "..", ".hidden", "x\\..\\y", ""]


def test_every_configuration_id_of_the_study_is_a_safe_file_name() -> None:
    assert all(is_safe_id(config.config_id) for grid in GRIDS.values() for config in grid)


@pytest.mark.parametrize("name", ESCAPING_NAMES)
def test_a_configuration_id_that_would_leave_the_baselines_folder_is_refused(name: str, project: Project) -> None:
    store = grid_for(study).store(project.baselines)
    before = project.snapshot()
    with pytest.raises(BaselineError, match="cannot name a baseline file"):
        store.path_for("logreg", name)
    with pytest.raises(BaselineError, match="cannot name a baseline file"):
        store.write_obtained("logreg", name, {"anything": 1})
    with pytest.raises(BaselineError, match="cannot name a baselines folder"):
        store.path_for(name, "logreg-l1-C0.1")
    assert project.snapshot() == before


def test_an_update_naming_a_path_outside_the_folder_writes_nothing_anywhere(project: Project, tmp_path: Path) -> None:
    store = grid_for(study).store(project.baselines)
    good = store.load("logreg", "logreg-l1-C0.1")
    evil = store.load("logreg", "logreg-l2-C0.1")
    assert good is not None and evil is not None
    good.provenance["reason"] = "should not be written either"
    evil.config_id = "../../../escaped"
    before = project.snapshot()
    with pytest.raises(BaselineError):
        store.write_all([good, evil])
    assert project.snapshot() == before
    assert not list(tmp_path.rglob("escaped*"))
