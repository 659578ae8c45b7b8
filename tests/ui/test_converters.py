"""Uploads to text: .txt/.md decoded, .docx and .pdf converted; broken, encrypted and empty files refused."""

from __future__ import annotations

import io

import pytest

from reportqa.converters import MAX_UPLOAD_BYTES, convert_bytes, convert_file
from retrieval.documents import DocumentError


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF with a text layer (Helvetica, ASCII)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % o for o in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def test_text_and_markdown_are_decoded():
    assert convert_bytes("建成人才公寓2000套。".encode("gb18030"), "a.txt") == "建成人才公寓2000套。"
    assert convert_bytes(b"# Title\nbody", "a.md").startswith("# Title")


def test_docx_paragraphs_and_tables(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("建成人才公寓2000套。")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "指标", "7.5%"
    path = tmp_path / "plan.docx"
    document.save(path)
    text = convert_file(path)
    assert "建成人才公寓2000套。" in text and "指标 | 7.5%" in text


def test_pdf_text_layer():
    assert "Talent apartments 2000" in convert_bytes(minimal_pdf("Talent apartments 2000"), "plan.pdf")


@pytest.mark.parametrize(
    "data, name, reason",
    [
        (b"%PDF-1.4 garbage", "broken.pdf", "broken.pdf"),
        (b"not a zip", "broken.docx", "not a .docx"),
        (b"", "empty.txt", "empty"),
        (b"\x00\x01\x02binary", "blob.txt", "binary"),
        (b"text", "sheet.xlsx", "unsupported"),
    ],
)
def test_bad_files_are_refused_by_name(data, name, reason):
    with pytest.raises(DocumentError, match=reason):
        convert_bytes(data, name)


def test_encrypted_pdf_is_refused():
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(minimal_pdf("secret"))))
    writer.encrypt("password")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(DocumentError, match="password"):
        convert_bytes(out.getvalue(), "locked.pdf")


def test_pdf_without_text_is_refused():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(DocumentError, match="no text layer"):
        convert_bytes(out.getvalue(), "scan.pdf")


def test_oversized_upload_is_refused():
    with pytest.raises(DocumentError, match="limit"):
        convert_bytes(b"a" * (MAX_UPLOAD_BYTES + 1), "big.txt")
