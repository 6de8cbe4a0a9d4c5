"""The staff page that imports a Board's action log: upload, the dry run's report per row,
then confirm (tracker.importing.actions does the work, as ``tracker import actions``)."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from anyio import to_thread
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile

from tracker.config import Settings
from tracker.domain import errors
from tracker.importing.actions import (
    ActionLogImport,
    RowReport,
    Summary,
    owner_names,
    parse_mapping,
)
from tracker.private_files import private_directory
from tracker.web.deps import AppDep, CatchUpDep, ReadEngineDep, SettingsDep
from tracker.web.errors import status_for
from tracker.web.routes.staff import StaffDep, page, posted
from tracker.web.staff_session import StaffSession

router = APIRouter(prefix="/admin/import", tags=["staff pages"], include_in_schema=False)

_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")
_NAME = re.compile(r"[^A-Za-z0-9._ -]")


def _waiting(settings: Settings) -> Path:
    """Uploaded logs between the dry run and the confirmation: private, beside the data."""
    folder = Path(settings.data_dir) / "imports"
    private_directory(folder, tighten=True)
    return folder


@router.get("", response_class=HTMLResponse)
def import_page(request: Request, staff: StaffDep) -> Response:
    """The form: an action log (CSV or .xlsx) and its column mapping."""
    return _page(request, staff)


@router.post("", response_class=HTMLResponse)
async def import_log(request: Request, app: AppDep, engine: ReadEngineDep,
                     settings: SettingsDep, catch_up: CatchUpDep, staff: StaffDep
                     ) -> Response:
    """Without ``token``: store the upload and show the dry run. With it: import for real."""
    form = await posted(request, staff)
    mapping_text = str(form.get("map") or "")
    token = str(form.get("token") or "")
    try:
        mapping = parse_mapping(mapping_text)
    except errors.InvalidValue as error:
        return _page(request, staff, error=error.message, status=422, mapping=mapping_text)
    if token:
        if not _TOKEN.fullmatch(token):
            return _page(request, staff, error="Upload the file again", status=422)
        found = sorted(_waiting(settings).glob(f"{token}.*"))
        if not found:
            return _page(request, staff, error="That upload is gone; upload the file again",
                         status=410, mapping=mapping_text)
        path = found[0]
        dry_run = False
    else:
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return _page(request, staff, error="Choose an action log (.csv or .xlsx)",
                         status=422, mapping=mapping_text)
        token = secrets.token_urlsafe(24)
        name = _NAME.sub("_", Path(upload.filename).name)[-100:] or "action-log.csv"
        # "." is not in a token's alphabet, so the name starts after the first one.
        path = _waiting(settings) / f"{token}.{name}"
        path.write_bytes(await upload.read())
        dry_run = True
    source = path.name.split(".", 1)[1]
    reports: list[RowReport] = []
    job = ActionLogImport(app, owner_names(engine), path, mapping,
                          actor=staff.account.actor, source=source)
    try:
        summary: Summary = await to_thread.run_sync(
            lambda: job.run(dry_run=dry_run, on_row=reports.append))
    except errors.DomainError as error:
        path.unlink(missing_ok=True)
        return _page(request, staff, error=error.message, status=status_for(error),
                     mapping=mapping_text)
    if not dry_run or summary.counts["refused"]:
        path.unlink(missing_ok=True)
    if not dry_run:
        catch_up()
    return _page(request, staff, reports=reports[:2000], more=max(len(reports) - 2000, 0),
                 summary=summary, token=token if dry_run and not summary.counts["refused"]
                 else "", mapping=mapping_text, status=422 if summary.counts["refused"] else 200)


def _page(request: Request, staff: StaffSession, status: int = 200, **context: object) -> Response:
    values: dict[str, object] = {"error": "", "reports": [], "more": 0, "summary": None,
                              "token": "", "mapping": ""}
    values.update(context)
    return page(request, "staff/import.html", status, staff=staff,
                heading="Import an action log", **values)
