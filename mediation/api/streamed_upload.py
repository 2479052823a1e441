"""A multipart/form-data upload read as it streams in: fields `file`, `kind`, `description`.

Litestar's own form parsing would spool the file first and check it after; here each piece of the
body goes through the `multipart` push parser straight into the attachments service's
FileReceiver, which tells the type from the first bytes, counts against the policy's cap, hashes and
writes 256 KiB chunks to the database as they come. So a refused type or a file over the cap is
answered as soon as it shows, and no layer holds a copy of the whole file. The fields may come in
any order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from litestar import Request
from litestar.exceptions import ClientException, HTTPException
from multipart import MultipartError, MultipartSegment, PushMultipartParser, parse_options_header

from mediation.cases.received_files import (
    ChunkSink,
    FileReceiver,
    FileTooLarge,
    ReceivedFile,
    file_name_of,
)
from mediation.errors import InvalidData

FILE_FIELD = "file"
TEXT_FIELDS = ("kind", "description")
TEXT_FIELD_MAX_BYTES = 4096  # a description is at most 500 characters (up to 4 bytes each in UTF-8)
ENVELOPE_BYTES = 64 * 1024  # what a multipart body may hold beside the file: boundaries, part headers, fields


@dataclass
class UploadForm:
    """The fields as given: the text ones decoded, the file received and checked (None when not sent)."""

    texts: dict[str, str] = field(default_factory=dict)
    file_name: str | None = None
    received: ReceivedFile | None = None

    def close(self) -> None:
        """Remove the file's chunks unless the service finished it (call outside any transaction)."""
        if self.received is not None:
            self.received.discard()


def malformed(detail: str, field_name: str = "body") -> HTTPException:
    return ClientException(detail=detail, extra={"field": field_name})


def boundary_of(request: Request) -> str:
    """The multipart boundary of the request's Content-Type; 400 unless the body is multipart/form-data."""
    media_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get("boundary", "")
    if media_type != "multipart/form-data" or not boundary:
        raise malformed("the body must be multipart/form-data with the fields file, kind and description",
                        "Content-Type")
    return boundary


async def read_upload(request: Request, max_bytes: int, sink: ChunkSink) -> UploadForm:
    """The upload's fields, the file checked while it streams in and written to `sink` in chunks
    (FileTooLarge, UnsupportedFileType, InvalidData naming `file`, and nothing left in the sink);
    400 for a body that is not a well-formed form of these fields."""
    boundary = boundary_of(request)
    body_limit = max_bytes + ENVELOPE_BYTES  # the route has no limit of its own: the policy's cap is the case's
    announced = request.headers.get("content-length", "")
    if announced.isdigit() and int(announced) > body_limit:
        raise FileTooLarge(max_bytes)  # answered before a byte of it is read
    form = UploadForm()
    reader = _PartReader(form, max_bytes, sink)
    received = 0
    try:
        with PushMultipartParser(boundary, max_segment_count=len(TEXT_FIELDS) + 1) as parser:
            async for chunk in request.stream():
                received += len(chunk)
                if received > body_limit:  # however it is spent: a file, or text around the parts
                    raise FileTooLarge(max_bytes)
                for event in parser.parse(chunk):
                    reader.take(event)
                if parser.closed:
                    break
            if not parser.closed:
                raise malformed("the multipart body ends before its closing boundary")
        form.received = reader.received()
        return form
    except MultipartError:
        reader.discard()
        raise malformed("the body is not valid multipart/form-data") from None
    except BaseException:
        reader.discard()
        raise


class _PartReader:
    """Takes the parser's events: a part's headers, its body in pieces, its end."""

    def __init__(self, form: UploadForm, max_bytes: int, sink: ChunkSink) -> None:
        self.form = form
        self.max_bytes = max_bytes
        self.sink = sink
        self.receiver: FileReceiver | None = None
        self.current: str | None = None
        self.text = bytearray()

    def take(self, event: MultipartSegment | bytes | None) -> None:
        if isinstance(event, MultipartSegment):
            self._begin(event)
        elif event:
            self._piece(event)
        else:
            self._end()

    def _begin(self, segment: MultipartSegment) -> None:
        name = segment.name
        if name == FILE_FIELD:
            if self.receiver is not None:
                raise malformed("the form holds more than one file", FILE_FIELD)
            self.form.file_name = file_name_of(segment.filename)
            self.receiver = FileReceiver(self.max_bytes, self.sink)
        elif name in TEXT_FIELDS:
            if name in self.form.texts:
                raise malformed(f"the form holds '{name}' twice", name)
        else:
            raise malformed(f"unknown field '{name}': the form takes file, kind and description", name or "body")
        self.current, self.text = name, bytearray()

    def _piece(self, piece: bytes) -> None:
        if self.current == FILE_FIELD:
            self.receiver.write(piece)
            return
        self.text += piece
        if len(self.text) > TEXT_FIELD_MAX_BYTES:
            raise InvalidData(self.current, f"must be at most {TEXT_FIELD_MAX_BYTES} bytes")

    def _end(self) -> None:
        if self.current in TEXT_FIELDS:
            try:
                self.form.texts[self.current] = self.text.decode("utf-8")
            except UnicodeDecodeError:
                raise malformed(f"'{self.current}' is not UTF-8 text", self.current) from None
        self.current = None

    def received(self) -> ReceivedFile | None:
        return self.receiver.finish() if self.receiver is not None else None

    def discard(self) -> None:
        if self.receiver is not None:
            self.receiver.discard()
