"""``tracker verify URL_OR_DIR``: check a tracker's published log from the outside.

Needs no database and no settings: it reads the site's (or a published copy's)
``log/checkpoint``, tiles, entry bundles and words, and checks them with
tracker.ledger.verify_log: the signature, every entry against its leaf, the leaves against
the signed root, every public entry's words against the commitment in its leaf, and that
the tree extends the one it saw last time. What it saw is kept under the user's cache
directory, one folder per log: the tree head, its leaf hashes (so a rewritten entry can be
named), and the log's key, pinned on first use.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from tracker.ledger import (
    TILE_WIDTH,
    Checkpoint,
    LedgerError,
    TileError,
    TreeHead,
    open_checkpoint,
    parse_entry_bundle,
    parse_verifier_key,
    tiles_for_size,
    verify_log,
)
from tracker.ledger.note import Verifier
from tracker.site_log import check_words

Fetch = Callable[[str], bytes]


class CannotRead(Exception):
    """The site or directory could not be read (not a verification failure)."""


def fetcher(source: str, timeout: float = 30.0) -> Fetch:
    """``get(path)`` for paths under the log of a site (http(s) URL) or of a directory."""
    if source.startswith(("http://", "https://")):
        base = source.rstrip("/")
        base = base if base.endswith("/log") else base + "/log"
        client = httpx.Client(timeout=timeout, follow_redirects=True)

        def get_url(path: str) -> bytes:
            try:
                response = client.get(f"{base}/{path}")
            except httpx.HTTPError as error:
                raise CannotRead(f"cannot fetch {base}/{path}: {error}") from None
            if response.status_code != 200:
                raise CannotRead(f"{base}/{path} answered {response.status_code}")
            return response.content

        return get_url
    root = Path(source)
    folder = root if root.name == "log" else root / "log"
    if not folder.is_dir():
        raise CannotRead(f"{source} is neither an http(s) address nor a folder with a log/")

    def get_file(path: str) -> bytes:
        try:
            return (folder / path).read_bytes()
        except OSError as error:
            raise CannotRead(f"cannot read {folder / path}: {error.strerror}") from None

    return get_file


@dataclass
class Outcome:
    ok: bool
    lines: list[str]


class _WordsMismatch(LedgerError):
    def __init__(self, index: int, why: str) -> None:
        super().__init__(f"entry {index}: {why}")
        self.index = index


def verify_source(get: Fetch, state_dir: Path | None, key: str | None = None,
                  witnesses: tuple[str, ...] = (), since: str | None = None) -> Outcome:
    """Verify one log; keep what was seen in ``state_dir`` (None: keep nothing)."""
    text = get("checkpoint")
    try:
        origin = Checkpoint.parse(text.decode().split("\n\n", 1)[0] + "\n").origin
    except (LedgerError, UnicodeDecodeError) as error:
        return Outcome(False, [f"the checkpoint is malformed: {error}"])
    folder = state_dir / _folder_name(origin) if state_dir else None
    notes: list[str] = []
    verifier, problem = _log_key(get, folder, key, notes)
    if verifier is None:
        return Outcome(False, [problem])
    previous, leaves = _kept(folder)
    if since is not None:
        try:
            saved = open_checkpoint(since, verifier).checkpoint
        except LedgerError as error:
            return Outcome(False, [f"the saved checkpoint does not verify: {error}"])
        if previous is None or previous.size != saved.size:
            previous, leaves = TreeHead(saved.size, saved.root), None
        elif previous.root != saved.root:
            return Outcome(False, ["the saved checkpoint and the kept tree differ for size "
                                   f"{saved.size}"])
    counts = {"words": 0}
    try:
        report = verify_log(text, verifier, _entries(get, text, verifier, counts),
                            get, previous=previous, previous_leaves=leaves,
                            witnesses=witnesses)
    except _WordsMismatch as error:
        return Outcome(False, [f"words: {error} (first entry that differs: {error.index})"])
    if not report.ok:
        assert report.problem is not None
        named = report.problem.first_index
        first = f" (first entry that differs: {named})" if named is not None else ""
        return Outcome(False, [f"{report.problem.kind}: {report.problem.message}{first}"])
    assert report.checkpoint is not None
    head = report.checkpoint.checkpoint
    lines = [f"OK: {head.origin}, {head.size} entries, root "
             f"{base64.b64encode(head.root).decode()}",
             f"signed by {verifier.vkey}", *notes,
             f"{report.entries_checked} entries match their leaves; "
             f"{counts['words']} entries' words match their commitments; "
             f"{report.entries_checked - counts['words']} withheld (hidden issues)"]
    for cosigned in report.checkpoint.cosignatures:
        lines.append(f"cosigned by {cosigned.name} at {cosigned.timestamp}")
    if previous is not None:
        lines.append(f"extends the tree of {previous.size} entries seen before")
    if folder is not None:
        _keep(folder, TreeHead(head.size, head.root), report.leaves, text)
        lines.append(f"kept this tree to compare with next time, in {folder}")
    return Outcome(True, lines)


def _entries(get: Fetch, text: bytes, verifier: Verifier,
             counts: dict[str, int]) -> Iterator[tuple[int, bytes]]:
    """Every entry of the signed tree, from its bundles, with its words checked."""
    size = open_checkpoint(text, verifier).checkpoint.size
    for tile in tiles_for_size(size):
        if tile.level != 0:
            continue
        try:
            bundle = parse_entry_bundle(get(tile.bundle.path))
        except CannotRead as error:
            raise TileError(str(error)) from None
        if len(bundle) != tile.width:
            raise TileError(f"{tile.bundle.path} holds {len(bundle)} entries, not "
                            f"{tile.width}")
        first = tile.index * TILE_WIDTH
        try:
            words = get(f"words/{tile.index}").decode().splitlines()
        except CannotRead as error:
            raise TileError(str(error)) from None
        for line in words:
            record = json.loads(line)
            index = record.get("leaf")
            if not isinstance(index, int) or not first <= index < first + tile.width:
                raise _WordsMismatch(first, f"words/{tile.index} names leaf {index!r}")
            why = check_words(json.loads(bundle[index - first]), record)
            if why is not None:
                raise _WordsMismatch(index, why)
            counts["words"] += 1
        yield from ((first + i, entry) for i, entry in enumerate(bundle))


def _log_key(get: Fetch, folder: Path | None, given: str | None,
             notes: list[str]) -> tuple[Verifier | None, str]:
    try:
        if given:
            return parse_verifier_key(given), ""
        pinned = folder / "key" if folder else None
        if pinned is not None and pinned.exists():
            return parse_verifier_key(pinned.read_text().strip()), ""
        published = get("key").decode().strip()
        verifier = parse_verifier_key(published)
    except (LedgerError, UnicodeDecodeError) as error:
        return None, f"the log's key is not usable: {error}"
    if pinned is not None:
        pinned.parent.mkdir(parents=True, exist_ok=True)
        pinned.write_text(published + "\n")
        notes.append(f"first use: pinned the log's key in {pinned}")
    else:
        notes.append("the key was taken from the site itself: pass --key to pin it")
    return verifier, ""


def _folder_name(origin: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-." else "_" for c in origin)[:60]
    return f"{safe}-{hashlib.sha256(origin.encode()).hexdigest()[:8]}"


def _kept(folder: Path | None) -> tuple[TreeHead | None, bytes | None]:
    if folder is None or not (folder / "tree").exists():
        return None, None
    size, root = (folder / "tree").read_text().split()
    leaves = folder / "leaves"
    return (TreeHead(int(size), base64.b64decode(root)),
            leaves.read_bytes() if leaves.exists() else None)


def _keep(folder: Path, head: TreeHead, leaves: bytes, checkpoint: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in (("leaves", leaves), ("checkpoint", checkpoint),
                       ("tree", f"{head.size} {base64.b64encode(head.root).decode()}\n"
                        .encode())):
        temporary = folder / f".{name}.tmp"
        temporary.write_bytes(data)
        os.replace(temporary, folder / name)


def default_state_dir() -> Path:
    """Where what was seen is kept: $XDG_CACHE_HOME (or ~/.cache)/tracker-verify."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "tracker-verify"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", help="the site's address (https://...) or a folder "
                                       "written by tracker publish")
    parser.add_argument("--key", help="the log's verifier key (default: the one pinned on "
                                      "first use, or the site's /log/key)")
    parser.add_argument("--witness", action="append", default=[],
                        help="a witness's verifier key; its cosignature is checked and shown")
    parser.add_argument("--since", type=Path,
                        help="a checkpoint saved earlier: the log must extend it")
    parser.add_argument("--state-dir", type=Path, default=None,
                        help=f"where to keep what was seen (default {default_state_dir()})")
    parser.add_argument("--forget", action="store_true",
                        help="keep nothing and compare with nothing kept")


def run(args: argparse.Namespace) -> int:
    """The command: 0 when the log verifies, 1 when it does not, 2 when it cannot be read."""
    state_dir = None if args.forget else (args.state_dir or default_state_dir())
    try:
        get = fetcher(args.source)
        since = args.since.read_text() if args.since else None
        outcome = verify_source(get, state_dir, args.key, tuple(args.witness), since)
    except (CannotRead, OSError) as error:
        print(f"tracker verify: {error}", file=sys.stderr)
        return 2
    if not outcome.ok:
        print(f"tracker verify: FAILED: {outcome.lines[0]}", file=sys.stderr)
        return 1
    print("\n".join(outcome.lines))
    return 0
