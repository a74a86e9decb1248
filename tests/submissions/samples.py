"""Small files of every type a file item may accept, made in memory, and a questionnaire
with file items laid over the factories' world."""

import copy
import io
import zipfile
from typing import Any

from PIL import Image
from sqlmodel import Session

from monitor.rounds.models import Audience
from tests.factories import NGO_Q, PARTY_Q, World, _version

PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)


def pdf(tag: str = "") -> bytes:
    """A PDF; ``tag`` changes its bytes (and so its SHA-256)."""
    return PDF + f"% {tag}\n".encode()


def ooxml(kind: str, thumbnail: int = 0) -> bytes:
    """A DOCX or XLSX package. ``thumbnail`` bytes of incompressible data go first, as a
    ``docProps/thumbnail.jpeg``, pushing the main part beyond the first 8 KiB."""
    main = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}[kind]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        if thumbnail:
            import random

            rng = random.Random(1)
            z.writestr(
                "docProps/thumbnail.jpeg", bytes(rng.getrandbits(8) for _ in range(thumbnail))
            )
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("_rels/.rels", "<Relationships/>")
        z.writestr(main, "<document/>")
    return buf.getvalue()


def odf(kind: str) -> bytes:
    """An ODT or ODS package: the ``mimetype`` entry first and stored, as ODF requires."""
    mime = {
        "odt": "application/vnd.oasis.opendocument.text",
        "ods": "application/vnd.oasis.opendocument.spreadsheet",
    }[kind]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), mime, compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", "<office:document-content/>", compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", "<manifest/>", compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def image(fmt: str) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buf, fmt)
    return buf.getvalue()


CSV = "год,жертвы\n2022,10\n2023,12\n".encode()

SAMPLES: dict[str, bytes] = {
    "pdf": pdf(),
    "docx": ooxml("docx"),
    "odt": odf("odt"),
    "xlsx": ooxml("xlsx"),
    "ods": odf("ods"),
    "csv": CSV,
    "png": image("PNG"),
    "jpeg": image("JPEG"),
}

#: A section with two file items and a text item, added to the Party questionnaire.
DOCUMENTS: dict[str, Any] = {
    "id": "documents",
    "title": "Documents",
    "items": [
        {
            "id": "laws",
            "kind": "file",
            "label": "Copies of the laws",
            "required": True,
            "accept": ["pdf", "docx", "odt"],
            "max_files": 2,
        },
        {
            "id": "plan",
            "kind": "file",
            "label": "National action plan",
            "accept": ["pdf", "xlsx", "ods", "csv"],
            "max_files": 1,
        },
        {"id": "documents_note", "kind": "long_text", "label": "Notes on the documents"},
    ],
}

NGO_EVIDENCE: dict[str, Any] = {
    "id": "evidence",
    "kind": "file",
    "label": "Evidence",
    "accept": ["pdf", "png", "jpeg"],
}


#: A file member of the factories' ``bodies`` group (section ``coordination``).
BODY_STATUTE: dict[str, Any] = {
    "id": "body_statute",
    "kind": "file",
    "label": "Statute of the body",
    "accept": ["pdf", "odt"],
    "max_files": 1,
}


def add_file_items(session: Session, world: World) -> None:
    """Give both evaluations a Party questionnaire with the ``documents`` section (Part I)
    and a ``body_statute`` file member in the ``bodies`` group, and the round a newer NGO
    questionnaire with an ``evidence`` file item; flushed."""
    party_q = copy.deepcopy(PARTY_Q)
    party_q["id"] = "test_party_files"
    sections = party_q["parts"][0]["sections"]
    sections.append(copy.deepcopy(DOCUMENTS))
    coordination = next(s for s in sections if s["id"] == "coordination")
    bodies = next(i for i in coordination["items"] if i["id"] == "bodies")
    bodies["items"].append(copy.deepcopy(BODY_STATUTE))
    for ev, code in ((world.am, "AM"), (world.ua, "UA")):
        version = _version(session, world.round, party_q, Audience.PARTY, code)
        ev.questionnaire_version_id = version.id  # type: ignore[assignment]
        session.add(ev)
    ngo_q = copy.deepcopy(NGO_Q)
    ngo_q["id"] = "test_ngo_files"
    ngo_q["parts"][0]["sections"][0]["items"].append(copy.deepcopy(NGO_EVIDENCE))
    _version(session, world.round, ngo_q, Audience.NGO, None)
    session.flush()
