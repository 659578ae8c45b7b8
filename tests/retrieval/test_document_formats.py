"""Every supported format is read where it lies (.txt, .md, .docx, .pdf), through the staff page's converters;
a broken file is refused by name and the rest of the folder is read; title, region and year come from the
document and the manifest overrides them."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from retrieval.converters import convert_file
from retrieval.documents import DocumentError, load_documents, read_document
from tests.ui.test_converters import minimal_pdf

REPORTS = Path(__file__).resolve().parents[1] / "data" / "reports"
JILIN = REPORTS / "2025年吉林省政府工作报告.docx"
HEBEI = REPORTS / "2025年河北省政府工作报告.docx"


def word_file(path: Path, *paragraphs: str) -> Path:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    document.save(path)
    return path


def test_real_report_docx_is_read_with_its_title_region_and_year() -> None:
    doc = read_document(JILIN)
    assert doc.text == convert_file(JILIN)  # the staff page's converter, not a second one
    assert (doc.source, doc.title, doc.region, doc.year) == (
        JILIN.name,
        "2025年吉林省政府工作报告",
        "吉林省",
        2025,
    )
    assert doc.place is not None and doc.place.short == "吉林"
    assert "各位代表" in doc.text and len(doc.text) > 5000


def test_a_folder_of_docx_pdf_md_and_txt_is_read_where_it_lies(tmp_path: Path) -> None:
    shutil.copy(HEBEI, tmp_path / HEBEI.name)
    word_file(tmp_path / "kaifeng.docx", "2024年开封市政府工作报告", "建成人才公寓900套。")
    (tmp_path / "notes.pdf").write_bytes(minimal_pdf("Talent apartments 2000"))
    (tmp_path / "plan.md").write_text("# 补充\n\n建成口袋公园15个。\n", encoding="utf-8")
    (tmp_path / "old.txt").write_bytes("累计造林52.8万亩。".encode("gb18030"))

    documents, errors = load_documents(tmp_path)

    assert errors == []
    by_name = {d.source: d for d in documents}
    assert sorted(by_name) == sorted([HEBEI.name, "kaifeng.docx", "notes.pdf", "plan.md", "old.txt"])
    assert (by_name[HEBEI.name].region, by_name[HEBEI.name].year) == ("河北省", 2025)
    kaifeng = by_name["kaifeng.docx"]
    assert (kaifeng.title, kaifeng.region, kaifeng.year) == ("2024年开封市政府工作报告", "开封市", 2024)
    assert kaifeng.place is not None and kaifeng.place.short == "开封"
    assert "Talent apartments 2000" in by_name["notes.pdf"].text
    assert by_name["old.txt"].text == "累计造林52.8万亩。"


def _broken_files(folder: Path) -> dict[str, str]:
    """Broken files of the supported kinds, with the reason each must be refused for."""
    (folder / "truncated.docx").write_bytes(HEBEI.read_bytes()[:5000])
    (folder / "renamed.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)  # an old .doc
    with zipfile.ZipFile(folder / "not-word.docx", "w") as archive:
        archive.writestr("hello.txt", "a zip, but no Word document in it")
    word_file(folder / "empty.docx")
    (folder / "garbage.pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 8)
    (folder / "scan.pdf").write_bytes(minimal_pdf(""))
    (folder / "spreadsheet.xlsx").write_bytes(b"PK\x03\x04")
    return {
        "truncated.docx": "not a readable .docx",
        "renamed.docx": "not a .docx file",
        "not-word.docx": "not a readable .docx",
        "empty.docx": "no text",
        "garbage.pdf": "PDF",
        "scan.pdf": "no text layer",
        "spreadsheet.xlsx": "unsupported file type",
    }


def test_broken_files_are_refused_by_name_and_the_rest_is_read(tmp_path: Path) -> None:
    shutil.copy(JILIN, tmp_path / JILIN.name)
    reasons = _broken_files(tmp_path)

    documents, errors = load_documents(tmp_path)

    assert [d.source for d in documents] == [JILIN.name]
    refused = {str(e).split(":", 1)[0]: str(e) for e in errors}
    assert sorted(refused) == sorted(reasons)
    for name, reason in reasons.items():
        assert reason in refused[name], refused[name]


def test_broken_files_leave_nothing_in_the_index(tmp_path: Path) -> None:
    from retrieval.embedding import HashingEmbedder
    from retrieval.indexing import Indexer
    from retrieval.vector_store import ChromaVectorStore, make_chroma_client

    folder = tmp_path / "knowledge"
    folder.mkdir()
    shutil.copy(JILIN, folder / JILIN.name)
    _broken_files(folder)
    store = ChromaVectorStore(make_chroma_client(tmp_path / "chroma"))
    Indexer(store, HashingEmbedder(), tmp_path / "index.lock").ensure(load_documents(folder)[0])
    assert {c.source for c in store.load_chunks()} == {JILIN.name}


def test_the_manifest_overrides_what_the_document_says(tmp_path: Path) -> None:
    shutil.copy(HEBEI, tmp_path / HEBEI.name)
    word_file(tmp_path / "plan.docx", "2024年开封市政府工作报告", "建成人才公寓900套。")
    manifest = {
        HEBEI.name: {"title": "河北报告", "region": "河南", "year": "2024", "source": "河北日报"},
        "plan.docx": {"city": "商丘市"},  # the region's earlier key
    }
    (tmp_path / "manifest.json").write_text(json.dumps({"documents": manifest}), encoding="utf-8")

    by_name = {d.source: d for d in load_documents(tmp_path)[0]}

    hebei = by_name[HEBEI.name]
    assert (hebei.title, hebei.region, hebei.year, hebei.origin) == ("河北报告", "河南省", 2024, "河北日报")
    plan = by_name["plan.docx"]
    assert (plan.title, plan.region, plan.year) == ("2024年开封市政府工作报告", "商丘市", 2024)


def test_a_manifest_year_that_is_no_year_refuses_that_file_by_name(tmp_path: Path) -> None:
    word_file(tmp_path / "plan.docx", "建成人才公寓900套。")
    (tmp_path / "good.txt").write_text("累计造林52.8万亩。", encoding="utf-8")
    manifest = {"plan.docx": {"year": "二〇二五"}}
    (tmp_path / "manifest.json").write_text(json.dumps({"documents": manifest}), encoding="utf-8")
    documents, errors = load_documents(tmp_path)
    assert [d.source for d in documents] == ["good.txt"]
    assert len(errors) == 1 and str(errors[0]).startswith("plan.docx: ") and "year" in str(errors[0])


def test_a_knowledge_docx_over_the_upload_limit_is_still_read(tmp_path: Path) -> None:
    """The 10 MB limit is the staff page's upload limit; files already in the folder may be up to 20 MB."""
    import os

    path = word_file(tmp_path / "big.docx", "2025年河南省政府工作报告", "建成人才公寓900套。")
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("word/media/scan.bin", os.urandom(11 * 1024 * 1024))  # a big picture, in effect
    with pytest.raises(DocumentError, match="over the 10 MB"):
        convert_file(path)
    assert read_document(path).region == "河南省"
