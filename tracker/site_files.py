"""The static site's directory, written without ever following a symbolic link inside it.

Whoever can write into the publish directory (a deploy account, a shared web root) could
plant a link there, ``issues -> /elsewhere`` or ``index.html -> a file of the tracker's``,
and a publisher that followed it would write pages wherever it points, with the tracker's
rights. So every path is walked one name at a time from the directory's own descriptor with
``O_NOFOLLOW``: a link is refused, never followed, even one planted after the check at
start. Only regular files are read (a FIFO planted there would otherwise hang the
publisher). Files are written atomically: a temporary file beside the target, then a
rename, so a reader never sees half a file.

The directory itself may be a link (an operator's ``/srv/site -> /srv/site-2``): it is
resolved once, when the publisher starts.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from tracker.config import SettingsError

_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


class UnsafeDirectory(SettingsError):
    """The publish directory has a link or a special file where the site writes."""


class SiteDirectory:
    def __init__(self, root: Path) -> None:
        self.given = root
        self.root = Path(os.path.realpath(root))

    def create(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)

    def check(self, names: Iterable[str]) -> None:
        """Refuse a directory with a link (or anything but files and folders) at or under
        any of ``names``, the top-level names the site writes."""
        for name in sorted(set(names)):
            path = self.root / name
            for found in [path, *_everything_under(path)]:
                try:
                    mode = found.lstat().st_mode
                except FileNotFoundError:
                    continue
                if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                    raise self._refusal(found, mode)

    def read(self, name: str) -> bytes | None:
        """A file's bytes, or None when there is none."""
        *folders, last = _parts(name)
        with self._folder(folders, create=False) as folder:
            if folder is None:
                return None
            return self._read_in(folder, last, name)

    def write(self, name: str, body: bytes) -> bool:
        """Write a file unless it already holds ``body``; True when written."""
        *folders, last = _parts(name)
        with self._folder(folders, create=True) as folder:
            assert folder is not None
            if self._read_in(folder, last, name) == body:
                return False
            temporary = f".tmp-{secrets.token_hex(8)}"
            handle = os.open(temporary, _CREATE, 0o644, dir_fd=folder)
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(body)
                    os.fchmod(out.fileno(), 0o644)  # whatever the umask: the web server reads
                # rename() replaces the name itself, never what a link there points to.
                os.replace(temporary, last, src_dir_fd=folder, dst_dir_fd=folder)
            except BaseException:
                with suppress(OSError):
                    os.unlink(temporary, dir_fd=folder)
                raise
            return True

    def _read_in(self, folder: int, last: str, name: str) -> bytes | None:
        try:
            handle = os.open(last, _READ, dir_fd=folder)
        except FileNotFoundError:
            return None
        except OSError as error:
            if error.errno in (errno.ELOOP, errno.EMLINK):
                raise self._refusal(self.root / name, stat.S_IFLNK) from None
            raise
        with os.fdopen(handle, "rb") as file:
            mode = os.fstat(file.fileno()).st_mode
            if not stat.S_ISREG(mode):
                raise self._refusal(self.root / name, mode)
            return file.read()

    @contextmanager
    def _folder(self, folders: list[str], create: bool) -> Iterator[int | None]:
        """A descriptor of the folder at ``folders`` under the root, walked without links."""
        current = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            walked = self.root
            for part in folders:
                walked = walked / part
                try:
                    following = os.open(part, _DIRECTORY, dir_fd=current)
                except FileNotFoundError:
                    if not create:
                        yield None
                        return
                    with suppress(FileExistsError):
                        os.mkdir(part, 0o755, dir_fd=current)
                    following = self._open_folder(part, current, walked)
                except OSError:
                    following = self._open_folder(part, current, walked)
                os.close(current)
                current = following
            yield current
        finally:
            os.close(current)

    def _open_folder(self, part: str, parent: int, path: Path) -> int:
        try:
            return os.open(part, _DIRECTORY, dir_fd=parent)
        except OSError as error:
            if error.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
                mode = os.stat(part, dir_fd=parent, follow_symlinks=False).st_mode
                raise self._refusal(path, mode) from None
            raise

    def _refusal(self, path: Path, mode: int) -> UnsafeDirectory:
        shown = self.given / path.relative_to(self.root)
        what = "a symbolic link" if stat.S_ISLNK(mode) else "not a plain file or folder"
        return UnsafeDirectory(
            f"publish: {shown} is {what}; the site is never written through one "
            f"(remove it, or publish into a directory of the tracker's own)")


def _parts(name: str) -> list[str]:
    parts = name.split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"not a file name inside the site: {name!r}")
    return parts


def _everything_under(path: Path) -> Iterator[Path]:
    """Every entry below a folder, without entering links (a file or link: nothing)."""
    if not path.is_dir() or path.is_symlink():
        return
    for top, folders, files in os.walk(path, followlinks=False):
        for name in folders + files:
            yield Path(top) / name
