"""`reader export` and `reader import`: the notes out to Markdown or JSON, and back in."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

from reader import __version__, paths
from reader.cli import CliError, UsageError, _write, printable, write_bytes
from reader.export import (
    EXPORT_SETTING,
    ExportError,
    Filters,
    default_export_folder,
    is_file_target,
    parse_since,
    render_store,
    replace_file,
    write_file,
    write_folder,
)
from reader.highlights import check_colour
from reader.markdown import Rendered
from reader.models import Highlight
from reader.store import Store, StoreError

JSON_NAME = "reader-annotations.json"


def filters_of(args: argparse.Namespace) -> Filters:
    try:
        color = check_colour(args.color) if args.color else None
        since = parse_since(args.since) if args.since else None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return Filters(article=args.article, color=color, tag=args.tag, since=since)


def export(args: argparse.Namespace) -> int:
    """`reader export`: Markdown (a folder, a file or stdout) or a JSON collection."""
    from reader.library import library_root

    filters = filters_of(args)
    store = Store(paths.db_path(getattr(args, "db", None)))
    out = Path(args.output) if args.output and args.output != "-" else None
    to_stdout = args.output == "-"
    if out is None and not to_stdout:
        out = default_export_folder(store)
    try:
        if args.format == "json":
            return _export_json([h for h in store.all_highlights() if filters.keep(h)], out)
        library = Path(args.path) if args.path else paths.default_library()
        root = library_root(library)[0] if library.exists() else library
        rendered = render_store(store.path or Path(), root, paths.cache_dir(), filters)
        items: list[Rendered] = []
        kept = _keeping(rendered, items)
        if to_stdout:
            from reader.markdown import new_file

            parts = list(kept)
            _write(new_file(parts) if parts else "")
            return 0
        assert out is not None
        done = write_file(out, list(kept)) if is_file_target(out) else write_folder(out, kept)
    except StoreError as exc:
        raise CliError(str(exc)) from None
    except ExportError as exc:
        raise CliError(str(exc)) from None
    if not is_file_target(out):
        try:
            store.set_setting(EXPORT_SETTING, str(out.resolve()))
        except StoreError:
            pass  # remembering the folder is a convenience, the export is done
    count = sum(item.count for item in items)
    print(
        f"reader: {count} highlight(s) of {len(items)} article(s) in {printable(str(out))}: "
        f"{len(done.written)} file(s) written, {len(done.unchanged)} already up to date",
        file=sys.stderr,
    )
    return 0


def _keeping(parts: Iterator[Rendered], into: list[Rendered]) -> Iterator[Rendered]:
    """`parts`, each also kept in `into` (for the summary once they are written)."""
    for part in parts:
        into.append(part)
        yield part


def _export_json(highlights: list[Highlight], out: Path | None) -> int:
    from reader.interchange import dumps, to_collection

    data = dumps(to_collection(highlights, generator=f"article-reader {__version__}"))
    if out is None:
        write_bytes(data)
        return 0
    target = out / JSON_NAME if out.is_dir() or not out.suffix else out
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        replace_file(target, data)  # the JSON bytes as they are
    except (OSError, ExportError) as exc:
        raise CliError(str(exc)) from None
    print(f"reader: {len(highlights)} highlight(s) in {printable(str(target))}", file=sys.stderr)
    return 0


def import_notes(args: argparse.Namespace) -> int:
    """`reader import FILE.json`: merge a collection. A bad file changes nothing; a failing
    store (a full disk) may leave the import half done, which running it again finishes."""
    from reader.interchange import InterchangeError, loads, merge

    try:
        raw = Path(args.file).read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read '{args.file}': {exc.strerror or exc}") from None
    try:
        incoming = loads(raw)
    except InterchangeError as exc:
        raise CliError(f"'{args.file}': {exc}") from None
    store = Store(paths.db_path(getattr(args, "db", None)))
    try:
        with store.transaction():  # nobody writes between what we compare and what we save
            existing = {h.id: h for h in store.all_highlights()}
            to_save, result = merge(incoming, existing)
            store.save_highlights(to_save)
    except StoreError as exc:
        # Each highlights file is written whole or not at all, and a merge can be repeated.
        raise CliError(
            f"the import stopped: {exc} (what was saved before stays; run it again to finish)"
        ) from None
    except InterchangeError as exc:
        raise CliError(f"'{args.file}': {exc}") from None
    print(
        f"reader: {result.added} added, {result.updated} updated, {result.kept} kept "
        "(the same or newer here)",
        file=sys.stderr,
    )
    return 0
