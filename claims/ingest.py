"""Read articles from files into ``Document`` models.

Inputs: ``.txt``, ``.md`` and ``.html`` files (optional YAML front matter: id, url, title, outlet,
published) and ``.jsonl`` (one document per line: ``text`` plus the same optional fields).
Directories are walked; a ``manifest.yaml`` in a folder gives metadata for its files by name.

One bad document never stops the others: every problem becomes a ``Rejection`` naming the file
(and line) and the reason, and the run goes on.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from claims import textnorm
from claims.errors import DocumentError, InputError
from claims.models import Document, Rejection, text_sha256
from claims.settings import Settings

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES
MANIFEST_NAME = "manifest.yaml"
META_FIELDS = ("id", "url", "title", "outlet", "published")

# Magic numbers of formats people save with the wrong extension.
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b")


@dataclass(frozen=True)
class Source:
    """One input file, and the folder its document id is relative to.

    ``named``: given on the command line rather than found in a folder. ``skip``: (reason,
    detail) when the walk already knows the path will not be read, so it becomes a rejection.
    ``size``: bytes when discovered (0 if unknown), to cut batches by size.
    """

    path: Path
    root: Path
    named: bool = False
    skip: tuple[str, str] | None = None
    size: int = 0

    @property
    def name(self) -> str:
        """The path as stored and shown: bytes of a name that are not UTF-8 become ``\\xNN``."""
        return printable(str(self.path))

    @property
    def relative(self) -> str:
        try:
            return printable(self.path.relative_to(self.root).as_posix())
        except ValueError:
            return printable(self.path.name)

    @property
    def kind(self) -> str:
        suffix = self.path.suffix.lower()
        if suffix in HTML_SUFFIXES:
            return "html"
        if suffix in JSONL_SUFFIXES:
            return "jsonl"
        return "text"


def printable(path: str) -> str:
    # Python keeps undecodable bytes of a file name as lone surrogates, which DuckDB refuses to
    # store: one such name in an inbox would fail the whole run.
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


@dataclass
class IngestResult:
    documents: list[Document] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)


def discover(paths: Sequence[Path | str]) -> list[Source]:
    """Every input file under ``paths``, sorted; fails early if a path is missing or unreadable.

    Nothing is opened here: whether a path is a regular file, and where a symbolic link leads,
    is checked when it is read (``read_input``), so a named pipe cannot stall discovery. A file
    reached by a second name (a link to a file already found, the same file named twice) is
    read once: the second name becomes a rejection saying which file it repeats.
    """
    sources: list[Source] = []
    for raw in paths:
        path = Path(raw)
        if not os.path.lexists(path):
            raise InputError(f"{path}: no such file or directory")
        if not path.exists():
            raise InputError(
                f"{path}: a symbolic link to {os.readlink(path)}, which does not exist"
            )
        if path.is_dir():
            if not os.access(path, os.R_OK | os.X_OK):
                raise InputError(f"{path}: cannot list the folder (permission denied)")
            sources += walk(path)
        else:
            if not os.access(path, os.R_OK):
                raise InputError(f"{path}: not readable (check its permissions)")
            sources.append(Source(path, path.parent, named=True))
    return _once_each(sources)


def _once_each(sources: list[Source]) -> list[Source]:
    """Mark every other name of a file listed twice (same device and inode) as skipped; the
    file's own name is kept over a symbolic link's."""
    keys: list[tuple[int, int] | None] = []
    sizes: list[int] = []
    for source in sources:
        try:
            info = os.stat(source.path) if source.skip is None else None
        except OSError:
            info = None  # a loop or a dangling link: rejected with its reason when read
        regular = info is not None and stat.S_ISREG(info.st_mode)
        keys.append((info.st_dev, info.st_ino) if info and regular else None)
        sizes.append(info.st_size if info and regular else 0)
    kept: dict[tuple[int, int], Source] = {}
    by_preference = sorted(range(len(sources)), key=lambda i: os.path.islink(sources[i].path))
    for i in by_preference:
        key = keys[i]
        if key is not None:
            kept.setdefault(key, sources[i])
    out = []
    for source, key, size in zip(sources, keys, sizes, strict=True):
        if key is not None and kept[key] is not source:
            source = _skipped(
                source.path,
                source.root,
                "duplicate_file",
                f"the same file as {kept[key].name}, which is read under that name",
            )
        elif size:
            source = replace(source, size=size)
        out.append(source)
    return out


def walk(root: Path) -> list[Source]:
    """The documents under ``root``, sorted by path, without recursion (a folder thousands of
    levels deep is walked like any other).

    Hidden names and manifests are skipped. Symbolic links to folders are not followed (a
    folder reached twice would give every document twice); they and folders that cannot be
    listed become rejections naming the path.
    """
    found: list[Source] = []
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as entries:
                listed = sorted(entries, key=lambda e: e.name)
        except OSError as e:
            found.append(
                _skipped(folder, root, "unreadable", f"cannot list the folder ({_why(e)})")
            )
            continue
        for entry in listed:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError as e:
                found.append(_skipped(path, root, "unreadable", f"cannot inspect it ({_why(e)})"))
                continue
            if is_dir:
                pending.append(path)
            elif is_link and os.path.isdir(path):
                found.append(
                    _skipped(
                        path,
                        root,
                        "symlink_folder",
                        f"a symbolic link to the folder {os.path.realpath(path)} is not followed; "
                        "give that folder as an input to read it",
                    )
                )
            elif entry.name != MANIFEST_NAME:
                # Every other file is a source: one of a type we cannot read (a PDF) is
                # rejected by read_sources with the reason (before it is opened), never
                # skipped without a word.
                found.append(Source(path, root))
    return sorted(found, key=lambda s: str(s.path))


def _skipped(path: Path, root: Path, reason: str, detail: str) -> Source:
    return Source(path, root, skip=(reason, detail))


def _why(e: OSError) -> str:
    return (e.strerror or str(e)).lower()


def read_sources(
    sources: Iterable[Source], settings: Settings, *, today: date | None = None
) -> Iterator[Document | Rejection]:
    """Documents and rejections, one source at a time (JSONL yields one item per line)."""
    today = today or date.today()
    for source in sources:
        try:
            if source.skip is not None:
                raise DocumentError(source.name, *source.skip)
            if source.path.suffix.lower() not in SUPPORTED:
                raise DocumentError(
                    source.name,
                    "unsupported_type",
                    f"unsupported file type {source.path.suffix or '(none)'}; "
                    f"use one of {', '.join(sorted(SUPPORTED))}",
                )
            raw = _read_bytes(source, settings)
            if source.kind == "jsonl":
                yield from _read_jsonl(source, raw, settings, today)
            else:
                yield _read_file(source, raw, settings, today)
        except DocumentError as e:
            yield Rejection(source_path=e.source, reason=e.reason, detail=e.detail)


def ingest(paths: Sequence[Path | str], settings: Settings) -> IngestResult:
    """Read everything under ``paths``; duplicates of a doc_id keep the first and reject the rest."""
    result = IngestResult()
    seen: dict[str, str] = {}
    for item in read_sources(discover(paths), settings):
        if isinstance(item, Rejection):
            result.rejected.append(item)
        elif item.doc_id in seen:
            result.rejected.append(
                Rejection(
                    source_path=item.source_path,
                    reason="duplicate_id",
                    detail=f"doc_id {item.doc_id!r} was already read from {seen[item.doc_id]}",
                )
            )
        else:
            seen[item.doc_id] = item.source_path
            result.documents.append(item)
    return result


# --- reading one file ------------------------------------------------------------------------


def _read_bytes(source: Source, settings: Settings) -> bytes:
    return read_input(
        source.path,
        source.name,
        settings.max_document_bytes,
        within=source.root if not source.named else None,
    )


# Only regular files are read: a named pipe blocks its reader until someone writes (forever, in
# an inbox), a device such as /dev/zero never ends, and a socket is no document.
FILE_KINDS = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}


def read_input(path: Path, name: str, limit: int, *, within: Path | None = None) -> bytes:
    """The bytes of ``path``, if it is a regular file of at most ``limit`` bytes.

    A symbolic link is followed only to a file inside ``within`` (the folder being read; None
    for a file named on the command line). The size is checked before reading, and the read
    stops after ``limit`` bytes whatever the size said (a file that grows, /proc).
    """
    target = _follow(path, name, within)
    try:
        info = os.stat(target)
        if not stat.S_ISREG(info.st_mode):
            kind = FILE_KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
            raise DocumentError(name, "not_a_file", f"is {kind}; only regular files are read")
        if info.st_size > limit:
            raise _too_large(name, info.st_size, limit)
        # O_NONBLOCK: if the path was swapped for a pipe since the stat, opening it cannot hang.
        fd = os.open(target, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
        try:
            opened = os.fstat(fd)
            if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):
                raise DocumentError(name, "unreadable", "the file changed while it was read")
            raw = _read_at_most(fd, limit + 1)
        finally:
            os.close(fd)
    except OSError as e:
        raise DocumentError(name, "unreadable", f"cannot read the file ({_why(e)})") from e
    if len(raw) > limit:
        raise _too_large(name, None, limit)
    return raw


def _follow(path: Path, name: str, within: Path | None) -> Path:
    """Where reading ``path`` leads: itself, or the file a symbolic link points to."""
    try:
        if not stat.S_ISLNK(os.lstat(path).st_mode):
            return path
        os.stat(path)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise DocumentError(
                name, "symlink_loop", "is a symbolic link that leads back to itself"
            ) from e
        if e.errno == errno.ENOENT:
            raise DocumentError(
                name,
                "broken_symlink",
                f"is a symbolic link to {os.readlink(path)}, which does not exist",
            ) from e
        raise DocumentError(name, "unreadable", f"cannot read the file ({_why(e)})") from e
    target = Path(os.path.realpath(path))
    if within is not None:
        root = Path(os.path.realpath(within))
        if not target.is_relative_to(root):
            raise DocumentError(
                name,
                "outside_input",
                f"is a symbolic link to {printable(str(target))}, outside the input folder "
                f"{printable(str(within))}; links are followed only within the folder read",
            )
    return target


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    left = limit
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _too_large(name: str, size: int | None, limit: int) -> DocumentError:
    amount = f"{size:,} bytes is" if size is not None else "it grew while read, and is"
    return DocumentError(
        name,
        "too_large",
        f"{amount} over the limit of {limit:,} "
        "(CLAIMS_MAX_DOCUMENT_BYTES); split the file or raise the limit",
    )


def decode(raw: bytes, source: str) -> tuple[str, list[str]]:
    """Text from bytes: UTF-8 (BOM dropped), UTF-16 with a byte order mark (what Windows
    Notepad saves as "Unicode"), else cp1252; each but UTF-8 with a warning. Binary is rejected."""
    warnings: list[str] = []
    if raw.startswith(UTF16_BOMS):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as e:
            raise DocumentError(
                source,
                "undecodable",
                f"starts with a UTF-16 byte order mark but is not UTF-16 (byte {e.start})",
            ) from e
        return _normalised(text, ["decoded as UTF-16 (byte order mark)"])
    if raw.startswith(BINARY_MAGIC) or raw[:4096].count(b"\x00") > 16:
        raise DocumentError(
            source, "binary", "looks like a binary file (PDF, image, archive), not text"
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        # cp1252 decodes every byte bar five; those few are replaced rather than failing the file.
        text = raw.decode("cp1252", errors="replace")
        warnings.append(f"not valid UTF-8 (byte {e.start}); decoded as Windows-1252")
    return _normalised(text, warnings)


def _normalised(text: str, warnings: list[str]) -> tuple[str, list[str]]:
    if "\x00" in text:
        text = text.replace("\x00", "")
        warnings.append("NUL characters removed")
    # Offsets must be stable whatever the platform wrote: one newline convention.
    return text.replace("\r\n", "\n").replace("\r", "\n"), warnings


FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*(?:\n|\Z)", re.DOTALL)


class _AliasFound(yaml.YAMLError):
    def __init__(self, line: int) -> None:
        super().__init__(f"alias on line {line}")
        self.line = line


class MetadataLoader(yaml.SafeLoader):
    """YAML for metadata, without aliases: a few hundred bytes of nested aliases (a "billion
    laughs") expand to billions of values, and no metadata field needs one."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise _AliasFound(self.peek_event().start_mark.line + 1)
        return super().compose_node(parent, index)


# libyaml's loader, when PyYAML was built with it: a seventh of the pure-Python parser's time, which
# is most of reading a small file.
FAST_LOADER: type | None = getattr(yaml, "CSafeLoader", None)


def load_metadata(text: str) -> Any:
    """Parse metadata YAML; raises ``yaml.YAMLError`` (an alias is one) or ``RecursionError``."""
    if "*" not in text and FAST_LOADER is not None:
        # Without a '*' the text cannot hold an alias, the one thing the C loader lets through.
        return yaml.load(text, Loader=FAST_LOADER)
    return yaml.load(text, Loader=MetadataLoader)


def split_front_matter(text: str, source: str) -> tuple[dict[str, Any], str]:
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = load_metadata(match.group(1)) or {}
    except _AliasFound as e:
        raise DocumentError(
            source,
            "bad_front_matter",
            f"front matter uses a YAML alias (line {e.line + 1}); aliases are not allowed in "
            "metadata, write the value out",
        ) from e
    except RecursionError as e:
        raise DocumentError(
            source, "bad_front_matter", "front matter is nested too deeply to be metadata"
        ) from e
    except yaml.YAMLError as e:
        where = getattr(e, "problem_mark", None)
        line = f" (line {where.line + 2})" if where is not None else ""
        raise DocumentError(
            source, "bad_front_matter", f"front matter is not valid YAML{line}"
        ) from e
    except ValueError as e:
        # PyYAML builds a date as soon as a value looks like one, so 2024-02-30 fails here.
        raise DocumentError(
            source, "bad_date", f"front matter holds a date that does not exist ({e})"
        ) from e
    if not isinstance(meta, dict):
        raise DocumentError(source, "bad_front_matter", "front matter must be a YAML mapping")
    require_text(meta, source)
    return meta, text[match.end() :]


def require_text(data: object, source: str) -> None:
    """Refuse values holding half a UTF-16 pair: a JSON or YAML escape such as ``\\ud800``."""
    try:
        json.dumps(data, ensure_ascii=False, skipkeys=True, default=str).encode("utf-8")
    except UnicodeEncodeError as e:
        bad = ord(e.object[e.start])
        raise DocumentError(
            source,
            "bad_text",
            f"holds an unpaired surrogate escape (\\u{bad:04x}), which is not text; "
            "fix the escape where the file was written",
        ) from e
    except ValueError as e:
        # Only YAML can build this: an alias inside its own anchor ("&a [*a]").
        raise DocumentError(
            source, "bad_front_matter", "a value contains itself (a YAML alias of its own anchor)"
        ) from e


def _read_file(source: Source, raw: bytes, settings: Settings, today: date) -> Document:
    name = source.name
    text, warnings = decode(raw, name)
    meta: dict[str, Any] = {}
    if source.kind == "html":
        text, meta = html_to_text(text, name)
    else:
        meta, text = split_front_matter(text, name)
    manifest = {
        k: v for k, v in _manifest(source.path.parent).get(source.path.name, {}).items() if v
    }
    if source.kind == "html":
        # A person wrote the manifest; the page's own metadata is a guess, so the manifest wins.
        merged = {**meta, **manifest}
        origin = "manifest" if manifest.get("published") else "html metadata"
    else:
        merged = {**manifest, **meta}
        origin = "front matter" if meta.get("published") else "manifest"
    doc_id = str(merged.get("id") or source.relative)
    return _document(doc_id, name, text, merged, origin, warnings, settings, today)


def _read_jsonl(
    source: Source, raw: bytes, settings: Settings, today: date
) -> Iterator[Document | Rejection]:
    text, warnings = decode(raw, source.name)
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{source.name}#L{lineno}"
        try:
            try:
                record = json.loads(line)
            except json.JSONDecodeError as e:
                raise DocumentError(where, "bad_json", f"not valid JSON ({e.msg})") from e
            except (ValueError, RecursionError) as e:
                # Valid JSON Python will not read: an integer of over 4,300 digits, or nesting
                # deeper than the interpreter's recursion limit.
                raise DocumentError(where, "bad_json", f"JSON that cannot be read ({e})") from e
            if not isinstance(record, dict):
                raise DocumentError(where, "bad_json", "each line must be a JSON object")
            require_text(record, where)
            body = record.get("text")
            if not isinstance(body, str):
                raise DocumentError(where, "no_text", 'the object has no "text" string')
            body = body.replace("\r\n", "\n").replace("\r", "\n")
            doc_id = str(record.get("id") or f"{source.relative}:{text_sha256(body)[:12]}")
            yield _document(doc_id, where, body, record, "jsonl", warnings, settings, today)
        except DocumentError as e:
            yield Rejection(source_path=e.source, reason=e.reason, detail=e.detail)


def _document(
    doc_id: str,
    source: str,
    text: str,
    meta: dict[str, Any],
    origin: str,
    warnings: list[str],
    settings: Settings,
    today: date,
) -> Document:
    text, repairs = textnorm.normalise(text)
    warnings = [*warnings, *repairs]
    if not text.strip():
        raise DocumentError(source, "empty", "the document has no text")
    longest, lineno = max((len(line), n) for n, line in enumerate(text.split("\n"), start=1))
    if longest > settings.max_line_chars:
        # Each line is parsed as one passage: spaCy refuses one over a million characters, and
        # extraction time grows faster than a line's length, so one huge line would stop the run.
        raise DocumentError(
            source,
            "line_too_long",
            f"line {lineno} of the text is {longest:,} characters, over the limit of "
            f"{settings.max_line_chars:,} (CLAIMS_MAX_LINE_CHARS); break it into paragraphs",
        )
    published = parse_date(meta.get("published"), source)
    if published is None:
        published, origin = find_published_date(text), "text"
    if published and published.year < settings.earliest_published_year:
        # Time words are resolved by date arithmetic that cannot go before year 1.
        raise DocumentError(
            source,
            "bad_date",
            f"published date {published} is before {settings.earliest_published_year}; "
            "fix the date in its metadata",
        )
    if published and published > today + timedelta(days=settings.future_date_tolerance_days):
        raise DocumentError(
            source,
            "future_date",
            f"published date {published} is in the future; fix the date in its metadata",
        )
    return Document.build(
        doc_id=doc_id,
        source_path=source,
        text=text,
        url=_str(meta.get("url")),
        title=_str(meta.get("title")),
        outlet=_str(meta.get("outlet")),
        published=published,
        published_source=origin if published else None,
        warnings=list(warnings),
    )


def _str(value: object) -> str | None:
    return str(value).strip() or None if value is not None else None


def parse_date(value: object, source: str) -> date | None:
    """A metadata date: a YAML date, or an ISO string (a time part is ignored)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return datetime.fromisoformat(str(value).strip().replace("Z", "+00:00")).date()
    except ValueError:
        found = find_published_date(str(value))
        if found:
            return found
        raise DocumentError(
            source, "bad_date", f"published {value!r} is not a date; use YYYY-MM-DD"
        ) from None


# A manifest maps file names to a few fields each; a megabyte holds thousands of entries.
MANIFEST_MAX_BYTES = 1_000_000


@lru_cache(maxsize=256)
def _manifest(folder: Path) -> dict[str, dict[str, Any]]:
    path = folder / MANIFEST_NAME
    if not os.path.lexists(path):
        return {}
    try:
        raw = read_input(path, printable(str(path)), MANIFEST_MAX_BYTES, within=folder)
        data = load_metadata(raw.decode("utf-8")) or {}
    except DocumentError as e:
        raise InputError(f"{path}: cannot read the manifest ({e.detail})") from e
    except _AliasFound as e:
        raise InputError(
            f"{path}: cannot read the manifest (a YAML alias on line {e.line}; aliases are not "
            "allowed in metadata)"
        ) from e
    except (yaml.YAMLError, UnicodeDecodeError, ValueError, RecursionError) as e:
        raise InputError(f"{path}: cannot read the manifest ({e})") from e
    if not isinstance(data, dict):
        raise InputError(f"{path}: the manifest must map file names to metadata")
    return {str(k): v for k, v in data.items() if isinstance(v, dict)}


# --- dates in the text -----------------------------------------------------------------------

MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for m in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
DATE_PATTERNS = [
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<mnum>[01]\d)-(?P<day>[0-3]\d)\b"),
    re.compile(r"\b(?P<day>[0-3]?\d)\s+" + _MONTH + r",?\s+(?P<year>(?:19|20)\d\d)\b", re.I),
    re.compile(
        r"\b" + _MONTH + r"\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?,\s*(?P<year>(?:19|20)\d\d)\b", re.I
    ),
]
# A dateline or byline sits near the top; a "Source: X, <date>" credit near the bottom.
HEAD_CHARS = 600
TAIL_LINE = re.compile(r"^(?:source|published|posted|updated|first published)\b.*$", re.I | re.M)


def find_published_date(text: str) -> date | None:
    """The publication date stated in the text's head or in a source/published line, if any."""
    candidates = [text[:HEAD_CHARS], *TAIL_LINE.findall(text[-HEAD_CHARS:])]
    for chunk in candidates:
        found = _first_date(chunk)
        if found:
            return found
    return None


def _first_date(chunk: str) -> date | None:
    best: tuple[int, date] | None = None
    for pattern in DATE_PATTERNS:
        for m in pattern.finditer(chunk):
            month = int(m.group("mnum")) if "mnum" in m.groupdict() and m.group("mnum") else None
            if month is None:
                month = MONTHS[m.group("month").lower().rstrip(".")]
            try:
                found = date(int(m.group("year")), month, int(m.group("day")))
            except ValueError:
                continue
            if best is None or m.start() < best[0]:
                best = (m.start(), found)
            break
    return best[1] if best else None


# --- HTML ------------------------------------------------------------------------------------


def html_to_text(html: str, source: str) -> tuple[str, dict[str, Any]]:
    """The article text and metadata of an HTML page (scripts, navigation and ads dropped).

    Front matter is not looked for in HTML; the page's own metadata is used instead.
    """
    import trafilatura  # imported here: slow to import and only HTML inputs need it

    text = trafilatura.extract(
        html, include_comments=False, include_tables=False, favor_precision=True
    )
    if not text or not text.strip():
        raise DocumentError(source, "no_article_text", "no article text found in the HTML page")
    meta: dict[str, Any] = {}
    try:
        # Only dates the page states in its markup: an extensive search takes a "(c) 2024"
        # footer for a publication date of 1 January 2024, and time words resolve against it.
        info = trafilatura.extract_metadata(
            html, date_config={"extensive_search": False, "original_date": True}
        )
    except AssertionError:
        # htmldate trips over a malformed tree ("<svg><a><a>"): the page's metadata is only a
        # guess anyway, so the article is kept without it.
        info = None
    if info is not None:
        meta = {
            "title": info.title,
            "url": info.url,
            "outlet": info.sitename,
            "published": info.date,
        }
    return text, {k: v for k, v in meta.items() if v}
