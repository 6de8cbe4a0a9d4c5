"""Evidence files through the real app: staff upload a PDF or image (API or staff page),
anyone downloads it by its hash with headers that keep it inert, and an update names it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.staff import Staff, hidden, staff_client
from tests.e2e.writes import Site, build, open_site
from tracker.bootstrap import Tracker

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"
HTML = b"<!DOCTYPE html><script>alert(document.cookie)</script>"


@pytest.fixture(scope="module")
def tracker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tracker]:
    data: Path = tmp_path_factory.mktemp("files") / "data"
    tracker = build(data, rate_login="1000/minute", max_file_bytes=50_000)
    yield tracker
    tracker.close()


@pytest.fixture(scope="module")
def site(tracker: Tracker) -> Iterator[Site]:
    with open_site(tracker) as site:
        yield site


def upload(site: Site, content: bytes, kind: str, role: str = "secretariat") -> object:
    return site.client.post("/api/v1/files", files={"file": ("paper.pdf", content, kind)},
                            headers=site.as_(role) if role != "anonymous" else {})


class TestUpload:
    def test_a_pdf_is_stored_and_served_as_an_inert_download(self, site: Site) -> None:
        answer = upload(site, PDF, "application/pdf")
        assert answer.status_code == 201, answer.text  # type: ignore[attr-defined]
        body = answer.json()  # type: ignore[attr-defined]
        assert body["url"].endswith(f"/files/sha256/{body['sha256']}")
        served = site.client.get(f"/files/sha256/{body['sha256']}")
        assert served.status_code == 200 and served.content == PDF
        assert served.headers["content-type"] == "application/pdf"
        assert served.headers["content-disposition"].startswith("attachment;")
        assert served.headers["x-content-type-options"] == "nosniff"
        assert "sandbox" in served.headers["content-security-policy"]

    def test_html_sent_as_a_pdf_is_refused_and_not_stored(self, site: Site,
                                                           tracker: Tracker) -> None:
        answer = upload(site, HTML, "application/pdf")
        assert answer.status_code == 415  # type: ignore[attr-defined]
        assert answer.json()["field"] == "file"  # type: ignore[attr-defined]
        stored = tracker.settings.data_dir / "files" / "sha256"
        assert not any(p.read_bytes() == HTML for p in stored.glob("*")) if stored.exists() \
            else True

    def test_a_file_over_the_limit_is_refused(self, site: Site) -> None:
        answer = upload(site, PDF + b"0" * 60_000, "application/pdf")
        assert answer.status_code == 413  # type: ignore[attr-defined]

    def test_only_the_secretariat_and_admins_may_upload(self, site: Site) -> None:
        assert upload(site, PDF, "application/pdf", "moderator").status_code == 403  # type: ignore[attr-defined]
        assert upload(site, PDF, "application/pdf", "anonymous").status_code == 401  # type: ignore[attr-defined]

    def test_an_unknown_or_malformed_hash_is_not_found(self, site: Site) -> None:
        for asked in ("0" * 64, "..%2f..%2fetc%2fpasswd", "A" * 64):
            assert site.client.get(f"/files/sha256/{asked}").status_code in (404, 422)

    def test_a_delivery_names_the_uploaded_file_as_its_evidence(self, site: Site) -> None:
        url = upload(site, PDF, "application/pdf").json()["url"]  # type: ignore[attr-defined]
        n = site.issue("committed")
        answer = site.post(f"/api/v1/issues/{n}/commitments/1/updates",
                           {"status": "delivered", "evidence_url": url}, "secretariat")
        assert answer.status_code == 200, answer.text
        assert site.client.get(f"/api/v1/issues/{n}").json()["commitments"][0][
            "evidence"] == url


class TestUploadPage:
    def test_the_staff_page_stores_a_file_and_shows_its_address(
            self, tracker: Tracker) -> None:
        staff: Staff = staff_client(tracker, "secretariat")
        token = hidden(staff.open("/admin/files").text, "form_token") or ""
        answer = staff.client.post("/admin/files", data={"form_token": token},
                                   files={"file": ("photo.png", HTML, "image/png")})
        assert answer.status_code == 415 and "Only PDF, PNG and JPEG" in answer.text
        answer = staff.client.post("/admin/files", data={"form_token": token},
                                   files={"file": ("paper.pdf", PDF, "application/pdf")})
        assert answer.status_code == 200 and "/files/sha256/" in answer.text

    def test_the_staff_page_refuses_a_form_without_the_session_s_token(
            self, tracker: Tracker) -> None:
        staff = staff_client(tracker, "secretariat")
        answer = staff.client.post("/admin/files", data={"form_token": "forged"},
                                   files={"file": ("paper.pdf", PDF, "application/pdf")})
        assert answer.status_code == 403


def test_tracker_publish_copies_the_evidence_files_its_pages_name(
        site: Site, tracker: Tracker, tmp_path: Path) -> None:
    from tracker.publish import Publisher

    body = upload(site, PDF + b"% published\n", "application/pdf").json()  # type: ignore[attr-defined]
    n = site.issue("committed")
    site.post(f"/api/v1/issues/{n}/commitments/1/updates",
              {"status": "delivered", "evidence_url": body["url"]}, "secretariat")
    tracker.refresh()
    publisher = Publisher(tracker, tmp_path / "site")
    try:
        publisher.publish_all()
    finally:
        publisher.close()
    copied = tmp_path / "site" / "files" / "sha256" / body["sha256"]
    assert copied.read_bytes() == PDF + b"% published\n"


class TestAttachedToAnUpdate:
    def test_a_pdf_attached_to_the_delivery_form_is_its_evidence(
            self, site: Site, tracker: Tracker) -> None:
        n = site.issue("committed")
        staff = staff_client(tracker, "secretariat")
        path = f"/admin/issues/{n}/commitments/1/delivery"
        shown = staff.open(path).text
        assert 'enctype="multipart/form-data"' in shown and 'type="file"' in shown
        data = {"form_token": hidden(shown, "form_token") or "",
                "version": hidden(shown, "version") or "", "note": "Paper attached"}
        refused = staff.client.post(path, data=data,
                                    files={"file": ("x.pdf", HTML, "application/pdf")})
        assert refused.status_code == 415 and "The file was not taken" in refused.text
        assert ">Paper attached</textarea>" in refused.text  # what was typed is kept
        answer = staff.client.post(path, data=data,
                                   files={"file": ("rota.pdf", PDF, "application/pdf")})
        assert answer.status_code == 200, answer.text[-1500:]
        evidence = site.client.get(f"/api/v1/issues/{n}").json()["commitments"][0]["evidence"]
        assert "/files/sha256/" in evidence
        assert site.client.get(evidence.split("localhost:8000", 1)[-1]).content == PDF

    def test_a_form_without_a_file_still_takes_a_typed_link(
            self, site: Site, tracker: Tracker) -> None:
        n = site.issue("committed")
        staff = staff_client(tracker, "secretariat")
        answer = staff.send(f"/admin/issues/{n}/commitments/1/delivery",
                            evidence_url="https://example.org/paper.pdf")
        assert answer.status_code == 200
        assert site.client.get(f"/api/v1/issues/{n}").json()["commitments"][0][
            "evidence"] == "https://example.org/paper.pdf"
