"""Small real files of every accepted type, made here, and a multipart body built by hand.

PNG and JPEG are drawn with Pillow; the PDF is a minimal valid document; the MP3 is an ID3v2 tag
followed by MPEG-1 Layer III frame headers; the M4A starts with the `ftyp` box of an AAC audio file.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from PIL import Image


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (30, 30, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def gif_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 0, 0)).save(buffer, "GIF")
    return buffer.getvalue()


def pdf_bytes(padding: int = 0) -> bytes:
    """A one-page PDF with a cross-reference table that points at its objects (and `padding` bytes of comment)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"]
    out = bytearray(b"%PDF-1.4\n")
    if padding:
        out += b"%" + b"x" * padding + b"\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def mp3_bytes() -> bytes:
    tag = b"ID3\x04\x00\x00\x00\x00\x00\x00"  # ID3v2.4, no frames
    frame = b"\xff\xfb\x90\x64" + b"\x00" * 413  # MPEG-1 Layer III, 128 kbit/s, 44.1 kHz: 417 bytes a frame
    return tag + frame * 4


def m4a_bytes() -> bytes:
    ftyp = b"\x00\x00\x00\x1cftypM4A \x00\x00\x00\x00M4A mp42isom"
    return ftyp + b"\x00\x00\x00\x08free" + b"\x00\x00\x00\x10mdat" + b"\x21\x10\x05\x00" * 2


SAMPLES = {  # name: (bytes, the type the server must tell from them, a file name to send)
    "pdf": (pdf_bytes(), "application/pdf", "调解协议（签字）.pdf"),
    "png": (png_bytes(), "image/png", "现场照片.png"),
    "jpeg": (jpeg_bytes(), "image/jpeg", "photo 1.jpg"),
    "mp3": (mp3_bytes(), "audio/mpeg", "录音.mp3"),
    "m4a": (m4a_bytes(), "audio/mp4", "recording.m4a"),
}

BOUNDARY = "mediation-test-boundary-7f3a"


def multipart_pieces(fields: dict[str, str], file_name: str | None = None, content: Iterator[bytes] = iter(()),
                     file_first: bool = False) -> Iterator[bytes]:
    """A multipart/form-data body in pieces (sent chunked, without Content-Length); no file part
    without a file name."""
    def text_parts() -> Iterator[bytes]:
        for name, value in fields.items():
            yield (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").encode()

    def file_part() -> Iterator[bytes]:
        yield (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n"
               "Content-Type: application/octet-stream\r\n\r\n").encode()
        yield from content
        yield b"\r\n"

    if file_name is None:
        yield from text_parts()
    elif file_first:
        yield from file_part()
        yield from text_parts()
    else:
        yield from text_parts()
        yield from file_part()
    yield f"--{BOUNDARY}--\r\n".encode()
