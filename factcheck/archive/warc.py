"""Writing and reading a fetch as WARC records (warcio): the request, then the response.

The response record carries the fetch time (WARC-Date), the address that
answered (WARC-Target-URI) and the SHA-256 of the payload (WARC-Payload-Digest,
``sha256:`` and base32, as WARC 1.1 allows), so a copy read elsewhere can be checked.
"""

from __future__ import annotations

import base64
import hashlib
import io
from dataclasses import dataclass
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from factcheck.archive.fetching import Fetched


def payload_digest(body: bytes) -> str:
    """The WARC form of the body's SHA-256."""
    return "sha256:" + base64.b32encode(hashlib.sha256(body).digest()).decode("ascii")


def write(fetched: Fetched) -> bytes:
    """The fetch as gzipped WARC records: a request record and the response record it concerns."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True, warc_version="WARC/1.1")
    date = datetime_to_iso_date(fetched.fetched_at.replace(tzinfo=None), use_micros=True)
    parts = urlsplit(fetched.final_url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request_headers = StatusAndHeaders(
        f"GET {path} HTTP/1.1",
        [("Host", parts.netloc), *fetched.request_headers.items()],
        is_http_request=True,
    )
    # The body as received: the headers that describe a transfer encoding no longer apply.
    response_headers = StatusAndHeaders(
        f"{fetched.status} {_reason(fetched.status)}",
        [
            (name, value)
            for name, value in fetched.headers.items()
            if name.lower() not in ("transfer-encoding", "content-encoding", "content-length")
        ]
        + [("Content-Length", str(len(fetched.body)))],
        protocol="HTTP/1.1",
    )
    response = writer.create_warc_record(
        fetched.final_url,
        "response",
        payload=io.BytesIO(fetched.body),
        length=len(fetched.body),
        http_headers=response_headers,
        warc_headers_dict={"WARC-Date": date, "WARC-Payload-Digest": payload_digest(fetched.body)},
    )
    request = writer.create_warc_record(
        fetched.final_url,
        "request",
        payload=io.BytesIO(b""),
        length=0,
        http_headers=request_headers,
        warc_headers_dict={
            "WARC-Date": date,
            "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"),
        },
    )
    writer.write_record(request)
    writer.write_record(response)
    return out.getvalue()


@dataclass(frozen=True)
class ArchivedResponse:
    url: str
    date: str
    status: int
    content_type: str
    payload_digest: str
    body: bytes


def read_response(data: bytes) -> ArchivedResponse:
    """The response record of a snapshot's WARC. ValueError if it has none."""
    for record in ArchiveIterator(io.BytesIO(data)):
        if record.rec_type == "response":
            return ArchivedResponse(
                url=record.rec_headers.get_header("WARC-Target-URI"),
                date=record.rec_headers.get_header("WARC-Date"),
                status=int(record.http_headers.get_statuscode()),
                content_type=record.http_headers.get_header("Content-Type") or "",
                payload_digest=record.rec_headers.get_header("WARC-Payload-Digest"),
                body=record.content_stream().read(),
            )
    raise ValueError("the WARC holds no response record")


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
