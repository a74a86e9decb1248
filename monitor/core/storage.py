"""Content-addressed blob storage for uploaded files.

A blob is named by the SHA-256 of its bytes (64 lowercase hex digits), so the same file
uploaded twice is stored once, and a name chosen by a user never reaches the file system.
:class:`Storage` is the whole interface the application uses; :class:`LocalStorage` keeps
blobs in a directory (``instance/uploads/`` by default). An S3-compatible store is another
class with the same four methods, chosen by ``UPLOAD_STORAGE`` in :mod:`monitor.config`.
"""

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, Protocol, runtime_checkable

from flask import Flask, current_app

#: Bytes read or written at a time when streaming.
CHUNK = 64 * 1024

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class UploadTooLarge(Exception):
    """The stream is longer than the ``max_bytes`` allowed; nothing was stored."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"more than {max_bytes} bytes")
        self.max_bytes = max_bytes


@runtime_checkable
class Storage(Protocol):
    """Where uploaded bytes live. Keys are SHA-256 hex digests of the content."""

    def put(self, data: bytes | BinaryIO, max_bytes: int | None = None) -> str:
        """Store ``data`` (bytes, or a binary stream read to its end from its current
        position) and return its SHA-256 hex digest. Storing content that is already
        there stores nothing new. Raises UploadTooLarge, storing nothing, as soon as more
        than ``max_bytes`` bytes have been read."""
        ...

    def open(self, sha256: str) -> BinaryIO:
        """A binary stream of the blob, to be closed by the caller. Raises
        FileNotFoundError for an unknown or malformed key."""
        ...

    def exists(self, sha256: str) -> bool:
        """True if the blob is stored (False for a malformed key)."""
        ...

    def size(self, sha256: str) -> int:
        """The blob's size in bytes. Raises FileNotFoundError for an unknown key."""
        ...


def _chunks(data: bytes | BinaryIO) -> Any:
    if isinstance(data, bytes | bytearray | memoryview):
        mv = memoryview(data)
        for start in range(0, len(mv), CHUNK):
            yield mv[start : start + CHUNK]
        return
    while True:
        chunk = data.read(CHUNK)
        if not chunk:
            return
        yield chunk


class LocalStorage:
    """Blobs in ``root`` as ``root/ab/cd/abcd…`` (two levels of fan-out by the first four
    hex digits, so no directory holds more than a few thousand files).

    A blob is first written to a temporary file in ``root/tmp`` (same file system), flushed
    to disk, then renamed into place: a reader never sees half a file, and two processes
    storing the same content both end with the one complete blob.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        """Where the blob with this key lives. Raises FileNotFoundError for a malformed key
        (never a path outside ``root``)."""
        if not isinstance(sha256, str) or not _SHA256.match(sha256):
            raise FileNotFoundError(f"not a SHA-256 key: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes | BinaryIO, max_bytes: int | None = None) -> str:
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in _chunks(data):
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise UploadTooLarge(max_bytes)
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            key = digest.hexdigest()
            final = self.path(key)
            if final.exists():  # same content already stored: keep the one copy
                os.unlink(tmp_name)
                # and date it now: the clean-up spares blobs stored within its grace
                # period, so an upload in flight is never removed under it
                os.utime(final)
            else:
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp_name, final)
            return key
        except BaseException:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
            raise

    def open(self, sha256: str) -> BinaryIO:
        return self.path(sha256).open("rb")

    def exists(self, sha256: str) -> bool:
        try:
            return self.path(sha256).is_file()
        except FileNotFoundError:
            return False

    def size(self, sha256: str) -> int:
        return self.path(sha256).stat().st_size

    # --- clean-up (monitor submissions cleanup): not part of the Storage interface

    def blobs(self) -> Iterator[tuple[str, datetime]]:
        """Every stored blob as ``(key, last stored)``, the time UTC-aware (the file's
        modification time, renewed by each :meth:`put` of the same content)."""
        for path in self.root.glob("[0-9a-f][0-9a-f]/[0-9a-f][0-9a-f]/*"):
            if _SHA256.match(path.name) and path.is_file():
                yield path.name, datetime.fromtimestamp(path.stat().st_mtime, UTC)

    def temporary_files(self) -> Iterator[tuple[Path, datetime]]:
        """Temporary files of uploads (``root/tmp``) as ``(path, last written)``: left
        behind only when a process died while storing."""
        tmp_dir = self.root / "tmp"
        if tmp_dir.is_dir():
            for path in tmp_dir.iterdir():
                if path.is_file():
                    yield path, datetime.fromtimestamp(path.stat().st_mtime, UTC)

    def delete(self, sha256: str) -> None:
        """Remove a blob (nothing happens if it is not there)."""
        self.path(sha256).unlink(missing_ok=True)


def storage_from_config(config: dict[str, Any] | Any) -> Storage:
    """The storage the configuration names: ``UPLOAD_STORAGE`` ``local`` (the only kind
    so far) in ``UPLOAD_DIR``. Raises ValueError for an unknown kind."""
    kind = config.get("UPLOAD_STORAGE", "local")
    if kind == "local":
        return LocalStorage(config["UPLOAD_DIR"])
    raise ValueError(f"unknown UPLOAD_STORAGE {kind!r} (known: local)")


def storage_for(app: Flask) -> Storage:
    """The app's storage, made from its configuration on first use."""
    storage = app.extensions.get("monitor.storage")
    if storage is None:
        storage = app.extensions["monitor.storage"] = storage_from_config(app.config)
    return storage  # type: ignore[no-any-return]


def current_storage() -> Storage:
    """The storage of the current Flask app."""
    return storage_for(current_app._get_current_object())  # type: ignore[attr-defined]
