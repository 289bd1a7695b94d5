"""Compiling the message catalogues (``.po``, committed) into what gettext reads (``.mo``, never committed).

The compiled files go to a folder named after a hash of the catalogues' text,
``<instance>/translations/<hash>/<language>/LC_MESSAGES/messages.mo``: a
catalogue edited (or pulled) gets a new folder on the next start, whatever the
files' modification times say, and a folder that exists is complete. Several
processes starting at once (gunicorn workers) each compile into a private
temporary folder and rename it into place; the first rename wins and the others
drop theirs, so no process ever reads a half-written file.

``factcheck translations compile`` does the same ahead of time (an image built
with its instance folder); at start-up the app then only hashes the ``.po`` files.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import time

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

log = logging.getLogger(__name__)

DOMAIN = "messages"
# The catalogues as written by translators: <source>/<language>/LC_MESSAGES/messages.po.
KEEP_REPLACED_SECONDS = 24 * 3600
SOURCE = os.path.join(os.path.dirname(os.path.dirname(__file__)), "translations")


def catalogues(source: str) -> dict[str, str]:
    """The ``.po`` file of each language under ``source``, by language."""
    found: dict[str, str] = {}
    if not os.path.isdir(source):
        return found
    for language in sorted(os.listdir(source)):
        path = os.path.join(source, language, "LC_MESSAGES", f"{DOMAIN}.po")
        if os.path.isfile(path):
            found[language] = path
    return found


def fingerprint(source: str) -> str:
    """A hash of every catalogue's language and text: the compiled folder's name."""
    digest = hashlib.sha256()
    for language, path in catalogues(source).items():
        digest.update(language.encode() + b"\0")
        with open(path, "rb") as handle:
            digest.update(handle.read())
        digest.update(b"\0")
    return digest.hexdigest()[:20]


def compile_into(source: str, folder: str) -> None:
    """Write every catalogue of ``source`` as ``<folder>/<language>/LC_MESSAGES/messages.mo``.

    Fuzzy entries are left out (gettext answers the English text for them), as msgfmt does.
    """
    for language, path in catalogues(source).items():
        with open(path, "rb") as handle:
            catalogue = read_po(handle, locale=language)
        target = os.path.join(folder, language, "LC_MESSAGES")
        os.makedirs(target, exist_ok=True)
        with open(os.path.join(target, f"{DOMAIN}.mo"), "wb") as handle:
            write_mo(handle, catalogue, use_fuzzy=False)


def compiled(source: str, root: str) -> str:
    """The folder holding the compiled catalogues of ``source`` (compiled now if need be), under ``root``.

    Raises OSError when ``root`` cannot be written and holds no compiled copy.
    """
    folder = os.path.join(root, fingerprint(source))
    if os.path.isdir(folder):
        return folder
    os.makedirs(root, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix=".compiling-", dir=root)
    try:
        compile_into(source, scratch)
        try:
            os.replace(scratch, folder)
        except OSError:
            # Another process renamed its copy first (the folder is no longer empty): use that one.
            if not os.path.isdir(folder):
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    _forget_others(root, keep=os.path.basename(folder))
    return folder


def _forget_others(root: str, keep: str) -> None:
    """Remove the folders of catalogues replaced more than a day ago (a process of the previous
    release, still running during a rolling deploy, may load a language from its folder later)."""
    too_old = time.time() - KEEP_REPLACED_SECONDS
    for name in os.listdir(root):
        path = os.path.join(root, name)
        if name != keep and not name.startswith(".") and os.path.getmtime(path) < too_old:
            shutil.rmtree(path, ignore_errors=True)


# Compiled folders this process made or found, by fingerprint: an app created again (tests make
# one per test, each with its own instance folder) reads the same files instead of compiling.
_known: dict[str, str] = {}


def translation_directory(source: str, instance_path: str) -> str:
    """Where Flask-Babel reads the compiled catalogues: the instance folder, or a private
    temporary folder when that cannot be written (a read-only deployment without a copy)."""
    known = _known.get(fingerprint(source))
    if known is not None and os.path.isdir(known):
        return known
    folder = _compile_somewhere(source, instance_path)
    _known[os.path.basename(folder)] = folder
    return folder


def _compile_somewhere(source: str, instance_path: str) -> str:
    try:
        return compiled(source, os.path.join(instance_path, "translations"))
    except OSError as exc:
        # Private to this process (mode 0700): nobody else can put catalogues there.
        fallback = tempfile.mkdtemp(prefix="factcheck-translations-")
        log.warning("cannot compile the translations into %s (%s); using %s", instance_path, exc, fallback)
        return compiled(source, fallback)
