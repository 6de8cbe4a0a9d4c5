"""Evidence files: uploaded by staff (the API and a staff page), served to anyone by their
SHA-256 with headers that keep them inert (tracker/evidence_files.py says what is taken)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from starlette.datastructures import UploadFile

from tracker.accounts import Account
from tracker.domain.values import Role
from tracker.evidence_files import EvidenceFiles, FileRefused
from tracker.web.deps import AccountDep, FilesDep, SettingsDep
from tracker.web.routes.staff import StaffDep, page, posted
from tracker.web.staff_session import StaffSession

router = APIRouter(tags=["evidence files"])

# The addresses that take a file (a larger body: tracker/web/body_limit.py): the upload
# addresses, the staff forms of progress and delivery, which may attach one, and the
# import of an action log.
UPLOADS = (r"/api/v1/files|/admin/files|/admin/import|"
           r"/admin/issues/\d+/commitments/\d+/(progress|delivery)")
ATTACHING = ("progress", "delivery")  # those forms' last part


async def attached(files: EvidenceFiles, base_url: str, upload: object) -> str | None:
    """The address of a file attached to a staff form, once stored; None without one.
    Raises FileRefused."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    content, declared = await _read(upload)
    stored = files.store(content, declared)
    return str(base_url).rstrip("/") + stored.path
MAY_UPLOAD = frozenset({Role.SECRETARIAT, Role.ADMIN})
# A stored file never changes (its address is its hash); it is never shown in the page
# that links it, never run, and never taken for another type.
SERVED = {
    "Cache-Control": "public, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cross-Origin-Resource-Policy": "same-origin",
}


async def _read(upload: object) -> tuple[bytes, str | None]:
    if not isinstance(upload, UploadFile):
        raise FileRefused(422, "Choose a file to upload")
    return await upload.read(), upload.content_type


def _allowed(role: str) -> bool:
    return Role(role) in MAY_UPLOAD


# Not in /openapi.json, whose writes are the declared commands (tracker/commands): an
# upload records nothing on the public record until an update names the file. README
# documents it.
@router.post("/api/v1/files", status_code=201, include_in_schema=False)
async def upload_file(request: Request, files: FilesDep, settings: SettingsDep,
                      account: AccountDep) -> Response:
    """A PDF, PNG or JPEG as the multipart field ``file``: 201 with its ``sha256`` and
    ``url``; 415 when its content is none of those or not the type it was sent as, 413
    when too large."""
    _check_role(account)
    form = await request.form(max_files=1, max_fields=4)
    try:
        content, declared = await _read(form.get("file"))
        stored = files.store(content, declared)
    except FileRefused as refused:
        return JSONResponse({"detail": refused.message, "field": "file"}, refused.status)
    base = str(settings.base_url).rstrip("/")
    return JSONResponse({"sha256": stored.sha256, "url": base + stored.path,
                         "content_type": stored.content_type, "size": stored.size}, 201)


def _check_role(account: Account) -> None:
    if not _allowed(account.role):
        raise HTTPException(403, detail="Your role cannot upload evidence files")


@router.get("/files/sha256/{sha256}", include_in_schema=False)
def serve_file(sha256: Annotated[str, PathParam(max_length=64)],
               files: FilesDep) -> Response:
    found = files.find(sha256)
    if found is None:
        return JSONResponse({"detail": "There is no such file", "field": None}, 404)
    path, stored = found
    return FileResponse(path, media_type=stored.content_type, headers={
        **SERVED, "Content-Disposition":
            f'attachment; filename="evidence-{stored.sha256[:12]}.{stored.extension}"'})


@router.get("/admin/files", response_class=HTMLResponse, include_in_schema=False)
def upload_page(request: Request, settings: SettingsDep, staff: StaffDep) -> Response:
    return _page(request, staff, settings.max_file_bytes)


@router.post("/admin/files", response_class=HTMLResponse, include_in_schema=False)
async def upload_from_page(request: Request, files: FilesDep, settings: SettingsDep,
                           staff: StaffDep) -> Response:
    form = await posted(request, staff)
    limit = settings.max_file_bytes
    if not _allowed(staff.account.role):
        return _page(request, staff, limit, "Your role cannot upload evidence files", 403)
    try:
        content, declared = await _read(form.get("file"))
        stored = files.store(content, declared)
    except FileRefused as refused:
        return _page(request, staff, limit, refused.message, refused.status)
    base = str(settings.base_url).rstrip("/")
    return _page(request, staff, limit, stored_url=base + stored.path,
                 kind=stored.content_type)


def _page(request: Request, staff: StaffSession, limit: int, error: str = "",
          status: int = 200, stored_url: str = "", kind: str = "") -> Response:
    return page(request, "staff/files.html", status, staff=staff,
                heading="Upload an evidence file", error=error, stored_url=stored_url,
                kind=kind, limit=limit)
