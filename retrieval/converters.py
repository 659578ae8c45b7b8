"""Knowledge files and uploads (.txt/.md/.pdf/.docx) to plain text; broken, encrypted or empty files are refused by name.

The staff page's uploads and the files of the knowledge folder go through the same converters."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from retrieval.decoding import MAX_DOCUMENT_BYTES, DocumentError, decode_bytes, read_limited

UPLOAD_SUFFIXES = (".txt", ".md", ".pdf", ".docx")
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_DOCX_XML_BYTES = 50 * 1024 * 1024  # unpacked text parts of a .docx; more is a zip bomb, not a report


def pdf_to_text(data: bytes, name: str) -> str:
    """The text layer of a PDF, page by page."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError(f"{name}: the PDF is password-protected; upload an unprotected copy.")
        pages = [page.extract_text() or "" for page in reader.pages]
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise DocumentError(f"{name}: not a readable PDF ({exc}).") from exc
    except Exception as exc:  # pypdf raises many kinds of errors on damaged files; all mean the same here
        raise DocumentError(f"{name}: not a readable PDF ({type(exc).__name__}).") from exc
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text:
        raise DocumentError(f"{name}: the PDF has no text layer (a scan?); run OCR first or upload the text.")
    return text


def docx_to_text(data: bytes, name: str) -> str:
    """Paragraphs and table cells of a Word document, in order."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    if data[:4] != b"PK\x03\x04":
        raise DocumentError(
            f"{name}: not a .docx file (encrypted, old .doc format or damaged); save it as .docx."
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(
                i.file_size for i in archive.infolist() if not i.filename.startswith("word/media/")
            )
        if unpacked > MAX_DOCX_XML_BYTES:
            raise DocumentError(
                f"{name}: unpacks to {unpacked // 1_048_576} MB of text parts, more than a document has; refused."
            )
        document = docx.Document(io.BytesIO(data))
    except DocumentError:
        raise
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentError(f"{name}: not a readable .docx file ({exc}).") from exc
    except (
        Exception
    ) as exc:  # lxml and zipfile raise many kinds of errors on damaged files; all mean the same
        raise DocumentError(f"{name}: not a readable .docx file ({type(exc).__name__}).") from exc
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text.strip() for cell in row.cells))
    text = "\n".join(line.strip() for line in lines if line.strip())
    if not text:
        raise DocumentError(f"{name}: the document contains no text.")
    return text


def upload_suffix(name: str) -> str:
    """The file type of an upload, or DocumentError when it is not one we convert."""
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise DocumentError(
            f"{name}: unsupported file type {suffix or '(none)'}; use {', '.join(UPLOAD_SUFFIXES)}."
        )
    return suffix


def bytes_to_text(data: bytes, name: str) -> str:
    """Plain text of a file's bytes by its type (`name`), with the checks every knowledge file gets."""
    suffix = upload_suffix(name)
    if suffix == ".pdf":
        text = pdf_to_text(data, name)
    elif suffix == ".docx":
        text = docx_to_text(data, name)
    else:
        return decode_bytes(data, name)
    return decode_bytes(text.encode("utf-8"), name)  # the same checks as any knowledge file


def convert_bytes(data: bytes, name: str) -> str:
    """Plain text of an uploaded file, or DocumentError naming it and saying what to do."""
    upload_suffix(name)
    if len(data) > MAX_UPLOAD_BYTES:
        raise DocumentError(
            f"{name}: {len(data) / 1_048_576:.1f} MB is over the "
            f"{MAX_UPLOAD_BYTES // 1_048_576} MB upload limit; split the file."
        )
    return bytes_to_text(data, name)


def convert_file(path: Path | str, name: str | None = None) -> str:
    """Plain text of an uploaded file on disk (`name` is the user's file name, for messages and the type)."""
    path = Path(path)
    name = name or path.name
    upload_suffix(name)  # refused by type before anything is read
    return convert_bytes(read_limited(path, name, MAX_UPLOAD_BYTES), name)


def file_text(path: Path) -> str:
    """Plain text of a file in the knowledge folder, read where it lies (up to MAX_DOCUMENT_BYTES)."""
    upload_suffix(path.name)  # refused by type before anything is read
    return bytes_to_text(read_limited(path, path.name, MAX_DOCUMENT_BYTES), path.name)
