"""Knowledge files: UTF-8, UTF-8 with BOM and GB18030 are read; empty, binary, undecodable files are refused."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from retrieval.documents import DocumentError, decode_bytes, load_documents, read_document, read_manifest

TEXT = "2023年工作安排\n建成人才公寓2000套。累计造林52.8万亩。\n"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("plain.txt", TEXT.encode("utf-8")),
        ("bom.txt", b"\xef\xbb\xbf" + TEXT.encode("utf-8")),
        ("gbk.txt", TEXT.encode("gb18030")),
        ("crlf.md", TEXT.replace("\n", "\r\n").encode("gb18030")),
    ],
)
def test_text_files_are_decoded_exactly(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    doc = read_document(path)
    expected = TEXT.replace("\n", "\r\n") if name == "crlf.md" else TEXT
    assert doc.text == expected  # no BOM left, no newline translation, no mojibake
    assert doc.source == name
    assert doc.title == Path(name).stem


def test_gb18030_characters_outside_gbk_survive(tmp_path: Path) -> None:
    text = "商丘市𠀀籍贯：睢阳区。"  # U+20000 needs GB18030's four-byte form
    path = tmp_path / "rare.txt"
    path.write_bytes(text.encode("gb18030"))
    assert read_document(path).text == text


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \r\n\t\n ", "empty"),
        ("ideographic-space.txt", "\u3000\u3000\n".encode(), "no readable text"),
        ("bom-only.txt", b"\xef\xbb\xbf", "no readable text"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("nul.md", "建成人才公寓".encode() + b"\x00" + "2000套".encode(), "binary"),
        ("controls.txt", bytes(range(1, 9)) * 40, "binary"),
        ("latin.txt", b"\xff\xfe\xfd\x80\x81", "cannot be decoded"),
        ("utf16.txt", "商丘市政府工作报告".encode("utf-16"), "cannot be decoded"),
    ],
)
def test_bad_files_are_refused_with_their_name_and_reason(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(DocumentError) as caught:
        read_document(path)
    assert name in str(caught.value)
    assert reason in str(caught.value)


@pytest.mark.parametrize("name", ["report.doc", "figures.xlsx", "README"])
def test_unsupported_file_type_is_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"PK\x03\x04 not read at all")
    with pytest.raises(DocumentError, match=rf"{re.escape(name)}: unsupported file type.*\.docx"):
        read_document(path)


def test_decode_bytes_names_the_file_it_refuses() -> None:
    with pytest.raises(DocumentError, match="^季度报告.txt: "):
        decode_bytes(b"", "季度报告.txt")


def test_load_documents_returns_good_documents_and_errors(tmp_path: Path) -> None:
    (tmp_path / "b-good.txt").write_text("建成人才公寓2000套。", encoding="utf-8")
    (tmp_path / "a-gbk.md").write_bytes("累计造林52.8万亩。".encode("gb18030"))
    (tmp_path / "c-empty.txt").write_bytes(b"")
    (tmp_path / "d-binary.txt").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / ".hidden.txt").write_bytes(b"\x00")  # hidden files are not knowledge
    (tmp_path / "sub").mkdir()  # neither are folders
    (tmp_path / "manifest.json").write_text(
        json.dumps(
            {
                "documents": {
                    "b-good.txt": {"title": "好文件", "city": "商丘市", "year": 2023, "source": "测试"}
                }
            }
        ),
        encoding="utf-8",
    )

    documents, errors = load_documents(tmp_path)

    assert [d.source for d in documents] == ["a-gbk.md", "b-good.txt"]  # sorted by name
    assert documents[0].text == "累计造林52.8万亩。"
    good = documents[1]
    assert (good.title, good.city, good.year, good.origin) == ("好文件", "商丘市", 2023, "测试")
    messages = sorted(str(e) for e in errors)
    assert len(messages) == 2
    assert messages[0].startswith("c-empty.txt:")
    assert messages[1].startswith("d-binary.txt:")


def test_invalid_manifest_is_reported(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(DocumentError, match="manifest"):
        read_manifest(tmp_path)


def test_bundled_report_has_its_manifest_metadata(report_document) -> None:
    assert report_document.title == "2023年商丘市政府工作报告"
    assert report_document.city == "商丘市"
    assert report_document.year == 2023
    assert "建成人才公寓2000套" in report_document.text


def test_document_hash_follows_its_text(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("建成人才公寓2000套。", encoding="utf-8")
    first = read_document(path).sha256
    assert read_document(path).sha256 == first
    path.write_text("建成人才公寓3000套。", encoding="utf-8")
    assert read_document(path).sha256 != first
