"""The evidence file store: what is taken (by content, never by name or declared type),
how large, and where it lands."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tracker.evidence_files import EvidenceFiles, FileRefused

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
HTML = b"<!DOCTYPE html><script>alert(1)</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.fixture
def files(tmp_path: Path) -> EvidenceFiles:
    return EvidenceFiles(tmp_path / "files", max_bytes=1_000)


class TestStore:
    @pytest.mark.parametrize(("content", "kind"), [
        (PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")])
    def test_keeps_a_pdf_png_or_jpeg_under_its_sha256(self, files: EvidenceFiles,
                                                     content: bytes, kind: str) -> None:
        stored = files.store(content, kind)
        assert stored.sha256 == hashlib.sha256(content).hexdigest()
        assert stored.content_type == kind
        assert (files.root / stored.sha256).read_bytes() == content
        assert stored.path == f"/files/sha256/{stored.sha256}"

    @pytest.mark.parametrize("content", [HTML, SVG, b"#!/bin/sh\nrm -rf /", b"GIF89a..."])
    def test_refuses_html_svg_and_anything_else_whatever_it_is_sent_as(
            self, files: EvidenceFiles, content: bytes) -> None:
        for declared in ("application/pdf", "image/png", None):
            with pytest.raises(FileRefused) as refused:
                files.store(content, declared)
            assert refused.value.status == 415
        assert not files.root.exists() or list(files.root.iterdir()) == []

    def test_refuses_a_file_whose_content_is_not_the_type_it_was_sent_as(
            self, files: EvidenceFiles) -> None:
        with pytest.raises(FileRefused) as refused:
            files.store(PNG, "application/pdf")
        assert refused.value.status == 415
        assert "not what its type says" in refused.value.message

    def test_refuses_a_file_over_the_limit_and_an_empty_one(
            self, files: EvidenceFiles) -> None:
        with pytest.raises(FileRefused) as refused:
            files.store(PDF + b"x" * 1_000, "application/pdf")
        assert refused.value.status == 413
        with pytest.raises(FileRefused) as refused:
            files.store(b"", "application/pdf")
        assert refused.value.status == 422

    def test_the_same_bytes_twice_are_one_file(self, files: EvidenceFiles) -> None:
        assert files.store(PDF).sha256 == files.store(PDF, "application/pdf").sha256
        assert len(list(files.root.iterdir())) == 1


class TestFind:
    def test_finds_a_stored_file_with_the_type_its_bytes_say(
            self, files: EvidenceFiles) -> None:
        stored = files.store(JPEG, "image/jpg")
        found = files.find(stored.sha256)
        assert found is not None and found[1].content_type == "image/jpeg"

    @pytest.mark.parametrize("asked", ["../../etc/passwd", "A" * 64, "0" * 63, "",
                                       "0" * 64 + "/x", "%2e%2e%2f" + "0" * 55])
    def test_never_builds_a_path_from_anything_but_64_hex_digits(
            self, files: EvidenceFiles, asked: str) -> None:
        assert files.find(asked) is None
