"""The heart table: both line-end forms pass, the UCI original converts byte for byte, the resolution order."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from regcheck.studies.heart.data import CANONICAL_SHA256, load_heart, parse_heart_csv

CRLF_SHA256 = "beb016433f616358768e29f1edf63a0daa9ffe7c103c698b2c71353fe82f7c7a"


def test_the_canonical_text_has_the_documented_checksum(heart_bytes: bytes) -> None:
    assert hashlib.sha256(heart_bytes).hexdigest() == CANONICAL_SHA256


def test_the_crlf_and_the_lf_forms_both_pass_and_parse_to_the_same_table(heart_bytes: bytes) -> None:
    crlf = heart_bytes.replace(b"\n", b"\r\n")
    assert hashlib.sha256(crlf).hexdigest() == CRLF_SHA256  # the redistributed file, byte for byte
    from_lf, from_crlf = parse_heart_csv(heart_bytes, "lf"), parse_heart_csv(crlf, "crlf")
    assert from_lf.shape == (303, 14)
    assert from_lf.equals(from_crlf)


def test_a_data_folder_holding_only_the_uci_original_gives_the_canonical_table(
    uci_original: Path, heart_bytes: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_env: None
) -> None:
    from regcheck.studies.heart.uci import convert_original

    folder = tmp_path / "only-the-original"
    folder.mkdir()
    (folder / "processed.cleveland.data").write_bytes(uci_original.read_bytes())
    monkeypatch.setenv("REGCHECK_DATA_DIR", str(folder))

    table = load_heart()

    assert table.source == "REGCHECK_DATA_DIR (UCI original, converted)"
    assert convert_original(uci_original.read_bytes(), "original") == heart_bytes  # byte for byte
    assert table.frame.equals(parse_heart_csv(heart_bytes, "canonical"))
    assert sorted(path.name for path in folder.iterdir()) == ["processed.cleveland.data"]  # nothing added there


def test_an_explicit_path_wins_over_the_data_folder_which_wins_over_the_cache(
    heart_bytes: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_env: None
) -> None:
    for name in ("explicit", "folder", "cache"):
        (tmp_path / name).mkdir(exist_ok=True)
        (tmp_path / name / "heart.csv").write_bytes(heart_bytes)
    monkeypatch.setenv("REGCHECK_CACHE_DIR", str(tmp_path / "cache"))
    assert load_heart().source == "user cache"
    monkeypatch.setenv("REGCHECK_DATA_DIR", str(tmp_path / "folder"))
    assert load_heart().source == "REGCHECK_DATA_DIR"
    monkeypatch.setenv("REGCHECK_DATA", str(tmp_path / "explicit" / "heart.csv"))
    assert load_heart().path == tmp_path / "explicit" / "heart.csv"
    assert load_heart(tmp_path / "folder" / "heart.csv").path == tmp_path / "folder" / "heart.csv"


def test_a_corrupt_cached_copy_is_named_with_how_to_recover(
    heart_bytes: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_env: None
) -> None:
    from regcheck.errors import DataError

    cached = tmp_path / "cache" / "heart.csv"
    cached.parent.mkdir()
    cached.write_bytes(heart_bytes[: len(heart_bytes) // 2].rsplit(b"\n", 1)[0] + b"\n")
    with pytest.raises(DataError) as raised:
        load_heart()
    assert str(raised.value) == (
        f"{cached} (delete it and regcheck downloads it again): 150 data rows, expected 303 "
        "(truncated or not the Cleveland table?)"
    )
