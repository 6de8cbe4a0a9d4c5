"""The NHS.UK frontend ships inside the package, at the version package-lock.json pins.

`pip install` alone gives the styled site; scripts/build-assets makes the copy and its
manifest from npm. These tests fail when the copy drifts from the manifest (a file edited,
lost or added by hand) or the manifest from the lock (the pin moved without a rebuild).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tracker.site.templating import VENDOR_DIR

ROOT = Path(__file__).resolve().parents[2]


def _manifest() -> dict[str, object]:
    loaded: dict[str, object] = json.loads((VENDOR_DIR / "manifest.json").read_text())
    return loaded


def test_the_shipped_frontend_is_the_version_the_lock_pins() -> None:
    lock = json.loads((ROOT / "package-lock.json").read_text())
    pinned = lock["packages"]["node_modules/nhsuk-frontend"]["version"]
    assert _manifest()["version"] == pinned


def test_every_shipped_file_is_the_one_the_build_copied_and_nothing_else() -> None:
    files = _manifest()["files"]
    assert isinstance(files, dict)
    shipped = {str(p.relative_to(VENDOR_DIR)): hashlib.sha256(p.read_bytes()).hexdigest()
               for p in sorted(VENDOR_DIR.rglob("*"))
               if p.is_file() and p != VENDOR_DIR / "manifest.json"}
    assert shipped == files
    assert {"nhsuk-frontend.min.css", "nhsuk-frontend.min.js"} <= set(shipped)
