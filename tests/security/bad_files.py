"""Generators of broken, hostile and awkward documents: name, how to make it, and what must happen to it."""

from __future__ import annotations

import gzip
import io
import os
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.ui.test_converters import minimal_pdf

REPORT_TEXT = "2023年工作安排\n海棠新区计划建成测试公寓3210套。累计植树52.8万亩。\n"
PDF = minimal_pdf("Haitang district builds 3210 test flats")


@dataclass(frozen=True)
class BadFile:
    name: str  # the user's file name, which every refusal must mention
    make: Callable[[Path], Path]  # writes the file into a folder and returns its path
    reason: str  # a regular expression the refusal must match


def data(content: bytes) -> Callable[[Path], Path]:
    """A maker writing these bytes to a file named like the case (with a private stem, so names can repeat)."""

    def make(folder: Path) -> Path:
        path = folder / f"upload-{os.urandom(4).hex()}"
        path.write_bytes(content)
        return path

    return make


def _pdf(transform: Callable) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(PDF)))
    transform(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def blank_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_bytes(text: str = REPORT_TEXT) -> bytes:
    import docx

    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


def rand(seed: int, size: int, low: int = 0, high: int = 256) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.randrange(low, high) for _ in range(size))


def big_text(size: int) -> Callable[[Path], Path]:
    """A real text file of `size` bytes, written in 1 MB pieces."""

    def make(folder: Path) -> Path:
        path = folder / f"big-{size}"
        piece = ("海棠新区计划建成测试公寓3210套。" * 40_000).encode()[:1_048_576]
        with open(path, "wb") as out:
            for _ in range(size // len(piece)):
                out.write(piece)
            out.write(piece[: size % len(piece)])
        return path

    return make


def symlink_to(target: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / f"link-{os.urandom(4).hex()}"
        path.symlink_to(target)
        return path

    return make


def fifo(folder: Path) -> Path:
    path = folder / f"fifo-{os.urandom(4).hex()}"
    os.mkfifo(path)
    return path


def directory(folder: Path) -> Path:
    path = folder / f"dir-{os.urandom(4).hex()}"
    path.mkdir()
    return path


def missing(folder: Path) -> Path:
    return folder / "gone-before-it-was-read"


TEXT = REPORT_TEXT.encode()
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(48) + b"This program cannot be run"
)
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(56) + b"\x3e\x00"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10"
SQLITE = b"SQLite format 3\x00" + bytes(84)
EMPTY, BINARY, DECODE, NO_TEXT = "empty", "binary", "cannot be decoded", "no readable text"
NOT_PDF, NOT_DOCX, TYPE, SIZE = (
    "not a readable PDF",
    r"not a (readable )?\.docx",
    "unsupported file type",
    "limit",
)

REFUSED = [
    BadFile("zero-byte.txt", data(b""), EMPTY),
    BadFile("zero-byte.md", data(b""), EMPTY),
    BadFile("whitespace.txt", data(b"  \r\n\t\n  \x0b\x0c "), EMPTY),
    BadFile("ideographic-spaces.txt", data("\u3000\u3000\n\u3000".encode()), NO_TEXT),
    BadFile("zero-width-only.txt", data("\u200b\u200c\u200d\ufeff\u2060".encode()), NO_TEXT),
    BadFile("bom-only.md", data(b"\xef\xbb\xbf"), NO_TEXT),
    BadFile("punctuation-only.md", data("# ## ### --- *** ___ ```\n> > >\n。，、！".encode()), NO_TEXT),
    BadFile("emoji-only.txt", data("😀🎉👨‍👩‍👧‍👦🇨🇳".encode()), NO_TEXT),
    BadFile("nul-in-text.txt", data(TEXT + b"\x00" + TEXT), BINARY),
    BadFile("all-zeros.txt", data(bytes(4096)), BINARY),
    BadFile("controls.txt", data(bytes(range(1, 9)) * 100), BINARY),
    BadFile("ansi-escapes.txt", data(b"\x1b[31m\x1b[2J\x07\x08" * 100), BINARY),
    *[BadFile(f"random-{seed}.txt", data(rand(seed, 8192)), BINARY) for seed in range(1, 6)],
    *[BadFile(f"random-high-{seed}.txt", data(rand(seed, 8192, 0x81, 0xFF)), DECODE) for seed in range(1, 4)],
    BadFile("program.exe.txt", data(EXE), BINARY),
    BadFile("exe-renamed.txt", data(EXE * 20), BINARY),
    BadFile("elf-renamed.md", data(ELF), BINARY),
    BadFile("png-renamed.txt", data(PNG), BINARY),
    BadFile("sqlite-renamed.txt", data(SQLITE), BINARY),
    BadFile("gzip-renamed.txt", data(gzip.compress(TEXT * 50, mtime=0)), f"{BINARY}|{DECODE}"),
    BadFile("zip-renamed.md", data(zip_bytes({"a.txt": TEXT * 50})), f"{BINARY}|{DECODE}"),
    BadFile("utf16-le-no-bom.txt", data(REPORT_TEXT.encode("utf-16-le")), "UTF-16"),
    BadFile("utf16-be-no-bom.txt", data(REPORT_TEXT.encode("utf-16-be")), "UTF-16"),
    BadFile("utf16-cjk-only-no-bom.txt", data(("海棠新区测试公寓" * 30).encode("utf-16-le")), "UTF-16"),
    BadFile("utf16-with-bom.txt", data(REPORT_TEXT.encode("utf-16")), "UTF-16"),
    BadFile("utf32.txt", data(REPORT_TEXT.encode("utf-32")), "UTF-16|binary"),
    BadFile("latin1.txt", data("Café résumé naïve à la carte".encode("latin-1")), DECODE),
    BadFile(
        "big5.txt", data("海棠新區計劃建成測試公寓3210套。累計植樹52.8萬畝。".encode("big5") * 20), DECODE
    ),
    BadFile("truncated.pdf", data(PDF[: len(PDF) * 6 // 10]), NOT_PDF),
    BadFile("header-only.pdf", data(PDF[:40]), NOT_PDF),
    BadFile("garbage.pdf", data(b"%PDF-1.4 garbage"), NOT_PDF),
    BadFile("random.pdf", data(rand(7, 5000)), NOT_PDF),
    BadFile("html-renamed.pdf", data(b"<html><body><img src=x onerror=alert(1)></body></html>"), NOT_PDF),
    BadFile("zero-byte.pdf", data(b""), NOT_PDF),
    BadFile("encrypted.pdf", data(_pdf(lambda w: w.encrypt("secret"))), "password-protected"),
    BadFile("no-text-layer.pdf", data(blank_pdf()), "no text layer"),
    BadFile(
        "broken.docx",
        data(zip_bytes({"[Content_Types].xml": b"garbage", "word/document.xml": rand(1, 999)})),
        NOT_DOCX,
    ),
    BadFile("txt-renamed.docx", data(TEXT), NOT_DOCX),
    BadFile("truncated.docx", data(docx_bytes()[:4000]), NOT_DOCX),
    BadFile("random-pk.docx", data(b"PK\x03\x04" + rand(3, 3000)), NOT_DOCX),
    BadFile("empty-zip.docx", data(zip_bytes({})), NOT_DOCX),
    BadFile("old-word.docx", data(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)), NOT_DOCX),
    BadFile("no-text.docx", data(docx_bytes("")), "contains no text"),
    BadFile(
        "zip-bomb.docx",
        data(zip_bytes({"[Content_Types].xml": b"<x/>", "word/document.xml": b" " * 60_000_000})),
        "unpacks to",
    ),
    BadFile("program.exe", data(EXE), TYPE),
    BadFile("README", data(TEXT), TYPE),
    BadFile("page.html", data(b"<html>" + TEXT + b"</html>"), TYPE),
    BadFile("sheet.xlsx", data(zip_bytes({"xl/workbook.xml": b"<x/>"})), TYPE),
    BadFile("macro.docm", data(docx_bytes()), TYPE),
    BadFile("script.md.sh", data(b"#!/bin/sh\nrm -rf /\n"), TYPE),
    BadFile("just-over-10mb.txt", big_text(10 * 1_048_576 + 1), SIZE),
    BadFile("huge-100mb.txt", big_text(100 * 1_048_576), SIZE),
    BadFile("symlink-to-passwd.txt", symlink_to("/etc/passwd"), "symbolic link"),
    BadFile("symlink-to-nowhere.md", symlink_to("/nonexistent/file.md"), "symbolic link"),
    BadFile("named-pipe.txt", fifo, "not a regular file"),
    BadFile("a-folder.txt", directory, "not a regular file"),
    BadFile("vanished.txt", missing, "cannot be read"),
]

NESTED_MARKDOWN = (
    "# 海棠新区\n"
    + "".join("> " * depth + f"第{depth}层引用：测试公寓{depth}套。\n" for depth in range(1, 200))
    + "".join("  " * depth + f"- 第{depth}级列表\n" for depth in range(300))
    + "".join("#" * min(depth, 6) + f" 标题{depth}\n正文{depth}。\n" for depth in range(1, 80))
    + "[" * 500
    + "未闭合的链接"
    + "(" * 500
    + "\n"
    + "*" * 2000
    + "_" * 2000
    + "`" * 2000
    + "\n"
    + "海棠新区计划建成测试公寓3210套。\n"
)


@dataclass(frozen=True)
class GoodFile:
    name: str
    make: Callable[[Path], Path]
    text: str  # what must be served, exactly (after conversion)


READ = [
    GoodFile("gbk-no-declaration.txt", data(REPORT_TEXT.encode("gbk")), REPORT_TEXT),
    GoodFile("gb18030-rare-char.md", data(("𠀀" + REPORT_TEXT).encode("gb18030")), "𠀀" + REPORT_TEXT),
    GoodFile("utf8-bom.txt", data(b"\xef\xbb\xbf" + TEXT), REPORT_TEXT),
    GoodFile("crlf.txt", data(REPORT_TEXT.replace("\n", "\r\n").encode()), REPORT_TEXT.replace("\n", "\r\n")),
    GoodFile("deeply-nested.md", data(NESTED_MARKDOWN.encode()), NESTED_MARKDOWN),
    GoodFile(
        "html-payload.md",
        data(("<img src=x onerror=alert(1)><script>x</script>" + REPORT_TEXT).encode()),
        "<img src=x onerror=alert(1)><script>x</script>" + REPORT_TEXT,
    ),
    GoodFile("plan.docx", data(docx_bytes()), REPORT_TEXT.strip()),
    GoodFile("plan.pdf", data(PDF), "Haitang district builds 3210 test flats"),
    GoodFile(
        "empty-password.pdf",
        data(_pdf(lambda w: w.encrypt("", owner_password="owner"))),
        "Haitang district builds 3210 test flats",
    ),
]
