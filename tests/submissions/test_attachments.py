"""Attachments as services: storage, sniffing, names, answers, validation."""

import hashlib
import io
from pathlib import Path

import pytest
from sqlmodel import select

from monitor.core.downloads import ascii_filename, content_disposition
from monitor.core.i18n import format_size
from monitor.core.storage import LocalStorage, UploadTooLarge, current_storage, storage_from_config
from monitor.extensions import db
from monitor.questionnaires.schema import FileItem
from monitor.rounds.models import Audience
from monitor.submissions import services
from monitor.submissions.attachments import (
    AttachmentError,
    FilePost,
    store_attachment,
    update_file_answer,
)
from monitor.submissions.files import attachment_ids, clean_filename, sniff
from monitor.submissions.models import Attachment
from monitor.submissions.validation import check_item, is_blank
from tests.factories import make_world
from tests.submissions.samples import SAMPLES, add_file_items, image, ooxml, pdf

MiB = 1024 * 1024


# --- storage ------------------------------------------------------------------------------


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_storage_round_trip_content_addressed_with_fan_out(tmp_path):
    storage = LocalStorage(tmp_path)
    data = b"Law No. 123 on combating trafficking in human beings\n" * 5000
    key = storage.put(data)
    assert key == hashlib.sha256(data).hexdigest()
    assert storage.exists(key) and storage.size(key) == len(data)
    with storage.open(key) as f:
        assert f.read() == data
    assert _files(tmp_path) == [tmp_path / key[:2] / key[2:4] / key]  # no temp file left


def test_storage_dedups_by_hash_bytes_and_streams(tmp_path):
    storage = LocalStorage(tmp_path)
    data = pdf("same")
    assert storage.put(data) == storage.put(io.BytesIO(data)) == storage.put(data)
    assert len(_files(tmp_path)) == 1
    assert storage.put(pdf("other")) != storage.put(data)
    assert len(_files(tmp_path)) == 2


def test_storage_refuses_oversize_while_streaming_and_keeps_nothing(tmp_path):
    storage = LocalStorage(tmp_path)

    class Endless(io.RawIOBase):
        """A stream that never ends: only a limit checked while reading stops it."""

        read_count = 0

        def readable(self) -> bool:
            return True

        def readinto(self, b) -> int:  # type: ignore[no-untyped-def]
            self.read_count += 1
            b[:] = b"x" * len(b)
            return len(b)

    stream = Endless()
    with pytest.raises(UploadTooLarge):
        storage.put(io.BufferedReader(stream), max_bytes=MiB)
    assert _files(tmp_path) == []
    assert stream.read_count < 100  # stopped soon after the limit, not at the end
    assert storage.put(b"x" * MiB, max_bytes=MiB)  # exactly at the limit is allowed


@pytest.mark.parametrize("key", ["../../etc/passwd", "ab", "A" * 64, "", "g" * 64])
def test_storage_refuses_malformed_keys(tmp_path, key):
    storage = LocalStorage(tmp_path)
    assert not storage.exists(key)
    with pytest.raises(FileNotFoundError):
        storage.open(key)


def test_storage_chosen_by_configuration(app, tmp_path):
    with app.app_context():
        storage = current_storage()
        assert isinstance(storage, LocalStorage)
        assert storage.root == tmp_path / "uploads"
        assert app.config["MAX_UPLOAD_BYTES"] == 26_214_400
        assert app.config["MAX_CONTENT_LENGTH"] == 4 * 26_214_400 + MiB
    with pytest.raises(ValueError, match="unknown UPLOAD_STORAGE"):
        storage_from_config({"UPLOAD_STORAGE": "s3", "UPLOAD_DIR": "x"})


def test_upload_limits_come_from_the_environment(tmp_path, monkeypatch):
    from monitor.config import load_config

    monkeypatch.setenv("MONITOR_MAX_UPLOAD_BYTES", "1000")
    monkeypatch.setenv("MONITOR_UPLOAD_DIR", str(tmp_path / "elsewhere"))
    cfg = load_config(tmp_path, {"SECRET_KEY": "x"})
    assert cfg["MAX_UPLOAD_BYTES"] == 1000
    assert cfg["MAX_CONTENT_LENGTH"] == 4000 + MiB
    assert cfg["UPLOAD_DIR"] == str(tmp_path / "elsewhere")


# --- sniffing -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_sniff_recognises_every_accepted_type(kind):
    assert sniff(io.BytesIO(SAMPLES[kind])) == kind


def test_sniff_reads_the_zip_directory_for_office_files():
    """filetype looks at the first 8 KiB only; a large first part must not hide a DOCX."""
    import filetype

    big = ooxml("docx", thumbnail=20_000)
    assert filetype.guess(big[:8192]).extension == "zip"
    assert sniff(io.BytesIO(big)) == "docx"
    assert sniff(io.BytesIO(ooxml("xlsx", thumbnail=20_000))) == "xlsx"


@pytest.mark.parametrize(
    "data, expected",
    [
        ("a;b\n1;2\n".encode("utf-8-sig"), "csv"),  # Excel's "CSV UTF-8" has a BOM
        ("год;жертвы\n2022;10\n".encode("utf-16"), "csv"),
        (b"BMW,Audi\n1,2\n", "csv"),  # starts like a BMP header
        ("année;total\n".encode("latin-1"), None),  # not UTF-8: refused, not misread
        (b"a,b\x00\x01\n", None),
        (b"\x00\x01\x02\x03" * 100, None),
        (b"PK\x03\x04 broken zip", None),
        (b"GIF89a" + b"\x00" * 20, None),
    ],
)
def test_sniff_text_and_garbage(data, expected):
    assert sniff(io.BytesIO(data)) == expected


# --- names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given, kept",
    [
        ("Отчёт_2024.pdf", "Отчёт_2024.pdf"),
        ("rapport_été.docx", "rapport_été.docx"),
        ("Հաշվետվություն 2023.pdf", "Հաշվետվություն 2023.pdf"),
        ("../../config.py", "config.py"),
        ("C:\\Users\\ani\\Закон.pdf", "Закон.pdf"),
        ("  plan\x00\x1f\t.pdf ", "plan.pdf"),
        ("fdp.\u202eexe.pdf", "fdp.exe.pdf"),
        ("..", ""),
        ("", ""),
        ("CON.txt", "CON.txt"),
    ],
)
def test_clean_filename_keeps_any_script(given, kept):
    assert clean_filename(given) == kept


def test_clean_filename_cuts_long_names_keeping_the_extension():
    name = "д" * 300 + ".pdf"
    cleaned = clean_filename(name)
    assert len(cleaned) == 255 and cleaned.endswith("д.pdf")


def test_content_disposition_rfc5987():
    assert content_disposition("Отчёт 2024.pdf", "attachment-7") == (
        'attachment; filename="2024.pdf"; '
        "filename*=UTF-8''%D0%9E%D1%82%D1%87%D1%91%D1%82%202024.pdf"
    )
    assert content_disposition("файл.pdf", "attachment-7") == (
        "attachment; filename=\"attachment-7.pdf\"; filename*=UTF-8''%D1%84%D0%B0%D0%B9%D0%BB.pdf"
    )
    assert ascii_filename("rapport_été.docx", "x") == "rapport_ete.docx"
    assert ascii_filename('a"b;c.pdf', "x") == "abc.pdf"
    assert ascii_filename("файл", "attachment-3") == "attachment-3"


def test_format_size_per_locale():
    assert format_size(26_214_400, "en") == "25 MB"
    assert format_size(1_572_864, "fr") == "1,5\u202fMo"
    assert format_size(340 * 1024, "ru") == "340 кБ"


# --- storing attachments ------------------------------------------------------------------

LAWS = FileItem(kind="file", id="laws", label="Laws", accept=["pdf", "docx", "odt"], max_files=2)


@pytest.fixture
def reply(app):
    with app.app_context():
        world = make_world(db.session)
        add_file_items(db.session, world)
        reply = services.get_or_create_reply(db.session, world.am, Audience.PARTY)
        db.session.commit()
        yield reply, world.users["contact_am"]


def _store(reply, name, data, item=LAWS, max_bytes=MiB):
    r, user = reply
    return store_attachment(
        db.session, current_storage(), r, user, item, io.BytesIO(data), name, max_bytes
    )


def _blobs() -> list[Path]:
    root = Path(current_storage().root)  # type: ignore[attr-defined]
    return [p for p in _files(root) if p.parent.name != "tmp"]


def test_b29_names_in_any_script_kept_storage_key_generated(reply):
    """known-failures B29: Cyrillic and accented names kept as given; a generated storage
    key; no path traversal; two uploads of файл.pdf do not collide."""
    first = _store(reply, "Отчёт_2024.pdf", pdf("report"))
    second = _store(reply, "rapport_été.docx", SAMPLES["docx"])
    a = _store(reply, "файл.pdf", pdf("file"))
    b = _store(reply, "файл.pdf", pdf("file"))
    traversal = _store(reply, "../../Отчёт.pdf", pdf("traversal"))
    db.session.commit()
    assert [first.filename, second.filename, traversal.filename] == [
        "Отчёт_2024.pdf",
        "rapport_été.docx",
        "Отчёт.pdf",
    ]
    assert a.id != b.id and a.filename == b.filename == "файл.pdf" and a.sha256 == b.sha256
    assert first.content_type == "application/pdf"
    assert second.content_type.endswith("wordprocessingml.document")
    blobs = _blobs()
    assert len(blobs) == 4  # five attachments, four contents
    root = Path(current_storage().root)  # type: ignore[attr-defined]
    assert all(p.name == p.parent.parent.name + p.parent.name + p.name[4:] for p in blobs)
    assert all(root in p.parents for p in blobs)
    for bad in ("../../config.py", "CON.txt"):
        with pytest.raises(AttachmentError, match="not a type this question accepts"):
            _store(reply, bad, b"print(1)\n")
    assert len(_blobs()) == 4


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("scan.pdf", image("PNG"), "named as a PDF file but its content is PNG"),
        ("law.docx", SAMPLES["xlsx"], "named as a DOCX file but its content is XLSX"),
        ("law.pdf", b"not a pdf at all", "named as a PDF file but its content is text"),
        ("law.pdf", b"%PDX\x00\x01\x02", "content of “law.pdf” is not a PDF file"),
        ("law.odt", b"", "is empty"),
        ("table.xlsx", SAMPLES["xlsx"], "not a type this question accepts"),
        ("noextension", pdf(), "not a type this question accepts"),
    ],
)
def test_refused_uploads_store_nothing(reply, name, data, message):
    with pytest.raises(AttachmentError, match=message):
        _store(reply, name, data)
    db.session.commit()
    assert _blobs() == []
    assert db.session.exec(select(Attachment)).all() == []


def test_oversize_upload_refused_and_nothing_stored(reply):
    with pytest.raises(AttachmentError, match="is larger than 1 MB"):
        _store(reply, "big.pdf", pdf() + b"0" * MiB)
    assert _blobs() == []
    assert _store(reply, "fits.pdf", (pdf() + b"0" * MiB)[:MiB]).size == MiB


def test_update_file_answer_removes_reuses_and_keeps_max_files(reply):
    r, user = reply
    storage = current_storage()
    one = _store(reply, "one.pdf", pdf("1"))
    sheet = _store(
        reply, "sheet.xlsx", SAMPLES["xlsx"], item=FileItem(kind="file", id="x", label="x")
    )
    post = FilePost(uploads=[(io.BytesIO(pdf("2")), "two.pdf"), (io.BytesIO(pdf("3")), "трое.pdf")])
    value, errors = update_file_answer(db.session, storage, r, user, LAWS, [one.id], post, {}, MiB)
    assert len(value) == 2 and value[0] == one.id
    assert errors == [
        "“трое.pdf” was not attached: this question takes at most 2 files. Remove one first."
    ]
    # remove one and reuse: the spreadsheet does not fit this item, the PDF does
    other = _store(reply, "other.pdf", pdf("o"))
    post = FilePost(remove={one.id}, reuse=[sheet.id, other.id])
    value2, errors = update_file_answer(
        db.session, storage, r, user, LAWS, value, post, {sheet.id: sheet, other.id: other}, MiB
    )
    assert value2 == [value[1], other.id] and errors == []
    value3, _ = update_file_answer(
        db.session, storage, r, user, LAWS, value2, FilePost(remove=set(value2)), {}, MiB
    )
    assert value3 is None


def test_answer_shapes_and_validation():
    assert attachment_ids([3, {"id": 5}, 3, "x", True, None]) == [3, 5]
    assert attachment_ids(None) == [] and attachment_ids("3") == []
    assert is_blank([]) and not is_blank([3]) and not is_blank([{"id": 3}])
    assert is_blank(["", " "]) and not is_blank(["hy"])
    assert check_item(LAWS, [1, 2]) == []
    assert check_item(LAWS, None) == []  # optional
    required = LAWS.model_copy(update={"required": True})
    assert check_item(required, []) == [
        ("Attach at least one file: it is required.", None, "error")
    ]
    assert check_item(required, [1, 2, 3]) == [("Attach at most 2 files: remove 1.", None, "error")]


def test_submission_needs_required_file_and_at_most_max_files(reply):
    from tests.submissions.test_services import COMPLETE

    r, user = reply
    s = db.session
    services.save_answers(s, r, user, COMPLETE, "en")
    with pytest.raises(services.SubmissionError) as exc:
        services.submit_reply(s, r, user)
    assert [(p.item_id, p.message) for p in exc.value.problems] == [
        ("laws", "Attach at least one file: it is required.")
    ]
    ids = [_store(reply, f"law{n}.pdf", pdf(str(n))).id for n in range(3)]
    services.save_answers(s, r, user, {"laws": ids}, "en")
    with pytest.raises(services.SubmissionError) as exc:
        services.submit_reply(s, r, user)
    assert [(p.item_id, p.message) for p in exc.value.problems] == [
        ("laws", "Attach at most 2 files: remove 1.")
    ]
    services.save_answers(s, r, user, {"laws": ids[:2]}, "en")
    services.submit_reply(s, r, user)
    s.commit()


def test_refusals_carried_to_the_next_page_are_capped():
    from monitor.submissions.attachments import first_problems

    problems = {"laws": [f"m{i}" for i in range(6)], "plan": ["p1", "p2", "p3"], "x": ["y"]}
    assert first_problems(problems) == {"laws": [f"m{i}" for i in range(6)], "plan": ["p1", "p2"]}
