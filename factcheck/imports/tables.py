"""Opening the files the imports read: text, gzip-compressed text (``.gz``) and XLSX workbooks.

A ``.gz`` file is decompressed as a stream, never whole in memory: first checked
to its end (a corrupt or truncated archive, or text that is not UTF-8, is refused
before anything is written), then read line by line. An ``.xlsx`` workbook is
read row by row (openpyxl's read-only mode) from its first sheet.
"""

from __future__ import annotations

import codecs
import gzip
import io
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any

# How much compressed input is checked at a time.
_CHUNK = 1 << 20


class InputError(ValueError):
    """A file that cannot be read at all; the message says why, in one line."""


def is_gzip(path: Path) -> bool:
    return path.suffix.lower() == ".gz"


def is_xlsx(path: Path) -> bool:
    return path.suffix.lower() in (".xlsx", ".xlsm")


def _oserror(error: OSError) -> InputError:
    return InputError(error.strerror or str(error))


def check_gzip(path: Path) -> None:
    """Decompress ``path`` to its end without keeping it, so a damaged archive is refused before
    the import writes anything. Raises InputError."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    done = 0
    try:
        with gzip.open(path, "rb") as stream:
            while chunk := stream.read(_CHUNK):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as error:
                    raise InputError(
                        f"its text is not UTF-8 (byte {done + error.start} once decompressed)"
                    ) from None
                done += len(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise InputError("its text is not UTF-8 (it ends inside a character)") from None
    except (gzip.BadGzipFile, zlib.error) as error:
        raise InputError(f"it is not a valid gzip file ({error})") from None
    except EOFError:
        raise InputError("the gzip file is cut short (truncated)") from None
    except OSError as error:
        raise _oserror(error) from None


@contextmanager
def text_stream(path: Path, *, check: bool = True) -> Iterator[IO[str]]:
    """The text of ``path`` (decompressed when it ends in ``.gz``), read line by line; a leading
    byte-order mark is dropped. Raises InputError when the file cannot be opened or checked
    (``check=False``: a ``.gz`` file checked before)."""
    if is_gzip(path):
        if check:
            check_gzip(path)
        with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as stream:
            yield stream
        return
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"it is not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise _oserror(error) from None
    yield io.StringIO(text, newline="")


def workbook_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """The rows of the workbook's first sheet as text cells, each with its row number (from 1).
    Raises InputError for a file that is not an XLSX workbook."""
    # openpyxl is imported here: only XLSX imports need it.
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError) as error:
        raise InputError(f"it is not an XLSX workbook ({_first_line(error)})") from None
    except OSError as error:
        raise _oserror(error) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            return
        try:
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, [cell_text(value) for value in row]
        except (zipfile.BadZipFile, KeyError, ValueError, zlib.error, EOFError) as error:
            raise InputError(f"the workbook is damaged ({_first_line(error)})") from None
    finally:
        workbook.close()


def cell_text(value: Any) -> str:
    """A workbook cell as the CSV would have it: dates as ``YYYY-MM-DD``, 3.0 as ``3``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time.min else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return (lines[0] if lines else type(error).__name__)[:200]
