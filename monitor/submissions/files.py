"""File types and names for attachments: which types a file item may accept, what a
file's bytes are, what name to keep, and the shape of a file answer. Pure functions, no
database and no Flask (used by the form, validation and attachment code alike).

An upload's name must end with the extension of a type the item accepts
(:data:`EXTENSIONS`), and its bytes must be of that same type as sniffed by the
``filetype`` library, with the ZIP directory read to tell DOCX from XLSX and strict text
decoding for CSV (:func:`sniff`).
"""

import codecs
import unicodedata
import zipfile
from typing import IO, Any, BinaryIO, cast

import filetype  # type: ignore[import-untyped]

from monitor.core.storage import CHUNK
from monitor.questionnaires.schema import FileItem, FileType

#: MIME type recorded for each sniffed file type.
MIME_TYPES: dict[FileType, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "csv": "text/csv",
    "png": "image/png",
    "jpeg": "image/jpeg",
}

#: MIME type -> file type, to tell which items an existing attachment fits.
FILE_TYPE_OF_MIME: dict[str, FileType] = {mime: kind for kind, mime in MIME_TYPES.items()}

#: File name extension (lower case, without the dot) -> the file type it declares.
EXTENSIONS: dict[str, FileType] = {
    "pdf": "pdf",
    "docx": "docx",
    "odt": "odt",
    "xlsx": "xlsx",
    "ods": "ods",
    "csv": "csv",
    "png": "png",
    "jpg": "jpeg",
    "jpeg": "jpeg",
}

#: What people call each type (format names, not translated).
TYPE_LABELS: dict[FileType, str] = {
    "pdf": "PDF",
    "docx": "DOCX",
    "odt": "ODT",
    "xlsx": "XLSX",
    "ods": "ODS",
    "csv": "CSV",
    "png": "PNG",
    "jpeg": "JPEG",
}

_MAX_NAME = 255
#: Bidirectional embedding, override and isolate controls: they can make "cod.exe.pdf"
#: display as something else, and no file name needs them.
_BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


# --- names and types ---


def clean_filename(name: str) -> str:
    """The file name to keep for an upload: ``name`` as given, in any script, without the
    directories some browsers send (``C:\\Users\\a\\plan.pdf`` -> ``plan.pdf``,
    ``../../config.py`` -> ``config.py``), control characters and bidirectional
    overrides, and surrounding spaces; cut to 255 characters keeping the extension.
    Returns ``""`` when nothing is left (``".."``). Never used as a storage path: blobs
    are stored under their SHA-256 (known-failures B29)."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        ch for ch in name if unicodedata.category(ch) != "Cc" and ch not in _BIDI_CONTROLS
    ).strip()
    if not name.strip("."):
        return ""
    if len(name) > _MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) < 16:
            name = stem[: _MAX_NAME - len(ext) - 1] + "." + ext
        else:
            name = name[:_MAX_NAME]
    return name


def declared_type(filename: str) -> FileType | None:
    """The file type a name's extension declares (``.jpg`` and ``.jpeg`` are JPEG), or
    None for a name without a known extension."""
    stem, dot, ext = filename.rpartition(".")
    if not dot or not stem:
        return None
    return EXTENSIONS.get(ext.lower())


def _ooxml_type(stream: BinaryIO) -> FileType | None:
    """DOCX or XLSX from the ZIP directory: an Office Open XML package has
    ``[Content_Types].xml`` and its main part under ``word/`` or ``xl/``. (``filetype``
    looks only at the first 8 KiB, where a large first part such as a thumbnail can hide
    the main part; the directory at the end of the file is authoritative.)"""
    try:
        stream.seek(0)
        with zipfile.ZipFile(cast(IO[bytes], stream)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def _is_text(stream: BinaryIO) -> bool:
    """True if the whole stream decodes as UTF-8 (with or without a byte order mark) or
    as UTF-16 with a byte order mark, without NUL or other control characters than tab,
    line feed, carriage return and form feed: what a CSV export is."""
    stream.seek(0)
    head = stream.read(2)
    encoding = "utf-16" if head in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else "utf-8-sig"
    stream.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    allowed = {"\t", "\n", "\r", "\f"}
    try:
        while True:
            chunk = stream.read(CHUNK)
            text = decoder.decode(chunk, final=not chunk)
            if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text):
                return False
            if not chunk:
                return True
    except UnicodeDecodeError:
        return False


def sniff(stream: BinaryIO) -> FileType | None:
    """The file type of the bytes in ``stream`` (seekable; read from the start), from
    their content alone, or None when they are none of the types an item may accept.

    ``filetype`` recognises PDF, PNG, JPEG and the OpenDocument formats (whose first ZIP
    entry names the type); a ZIP is an Office Open XML file only if its directory says
    so (:func:`_ooxml_type`); anything without a binary signature is CSV if it is text
    (:func:`_is_text`)."""
    stream.seek(0)
    kind = filetype.guess(stream.read(8192))
    ext = kind.extension if kind is not None else None
    if ext in ("pdf", "png", "odt", "ods"):
        return cast(FileType, ext)
    if ext == "jpg":
        return "jpeg"
    if ext in ("zip", "docx", "xlsx"):
        return _ooxml_type(stream)
    # No signature of an accepted binary type (a text may well start with "BM" or "ID3",
    # which filetype reads as BMP or MP3): accept it as CSV only if it is text.
    return "csv" if _is_text(stream) else None


def accept_attribute(item: FileItem) -> str:
    """The HTML ``accept`` attribute for the item's file input: extensions and MIME
    types (``.pdf,application/pdf,...``)."""
    parts: list[str] = []
    for kind in item.accept:
        parts += ["." + ext for ext, t in EXTENSIONS.items() if t == kind]
        parts.append(MIME_TYPES[kind])
    return ",".join(parts)


def attachment_ids(value: Any) -> list[int]:
    """The attachment ids a stored file answer lists, in order, without repeats:
    ``[12, 15]`` or ``[{"id": 12}, {"id": 15}]``; anything else (None, text) gives []."""
    if not isinstance(value, list):
        return []
    out: list[int] = []
    for entry in value:
        if isinstance(entry, dict):
            entry = entry.get("id")
        if isinstance(entry, int) and not isinstance(entry, bool) and entry not in out:
            out.append(entry)
    return out


def file_type_label(content_type: str) -> str:
    """``PDF``, ``DOCX``... for a stored content type (the type itself if unknown)."""
    kind = FILE_TYPE_OF_MIME.get(content_type)
    return TYPE_LABELS[kind] if kind else content_type
