"""The staff page's converters, which now live in retrieval/converters.py (the knowledge folder reads them too)."""

from retrieval.converters import (
    MAX_DOCX_XML_BYTES,
    MAX_UPLOAD_BYTES,
    UPLOAD_SUFFIXES,
    bytes_to_text,
    convert_bytes,
    convert_file,
    docx_to_text,
    pdf_to_text,
    upload_suffix,
)

__all__ = [
    "MAX_DOCX_XML_BYTES",
    "MAX_UPLOAD_BYTES",
    "UPLOAD_SUFFIXES",
    "bytes_to_text",
    "convert_bytes",
    "convert_file",
    "docx_to_text",
    "pdf_to_text",
    "upload_suffix",
]
