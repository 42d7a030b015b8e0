"""The command line: `reader clean`, `reader list` and `reader [PATH]`; no UI library imported."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from reader import __version__

if TYPE_CHECKING:
    from reader.library import ArticleError
    from reader.listing import Summary

COMMANDS = ("clean", "list", "export", "import")
_OPTIONS_WITH_VALUE = ("--db",)
_SOURCE_CAP = 24


class UsageError(Exception):
    """A command line that cannot be parsed (a bad option, a missing argument)."""


class CliError(Exception):
    """A user error: reported as one line on stderr, exit status 1."""


class _Parser(argparse.ArgumentParser):
    """argparse, but errors are raised (one line, exit 1) instead of printed with the usage."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _common() -> _Parser:
    common = _Parser(add_help=False, allow_abbrev=False)
    # SUPPRESS: a subcommand's default must not overwrite a value given before the subcommand.
    common.add_argument(
        "--db",
        metavar="FILE",
        default=argparse.SUPPRESS,
        help="the notes database (default: $READER_DB, else notes.json in the data directory)",
    )
    common.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=argparse.SUPPRESS,
        help="log what happens on stderr (-vv: more)",
    )
    return common


def build_parser() -> _Parser:
    """The parser for `reader COMMAND ...`."""
    common = _common()
    parser = _Parser(
        prog="reader",
        parents=[common],
        allow_abbrev=False,
        usage="reader [PATH] | reader COMMAND ...",
        description="A terminal reader for saved articles (.txt, .md, .html files).",
        epilog=(
            "reader [PATH] opens the library PATH (default: ./articles if it exists, else the "
            "sample articles) in the reading app; PATH may also be one article file."
        ),
    )
    parser.add_argument("--version", action="version", version=f"reader {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    clean = sub.add_parser(
        "clean",
        parents=[common],
        allow_abbrev=False,
        help="print an article's cleaned body",
        description="Print the cleaned body of an article file (or, with --json, all of it).",
    )
    clean.add_argument("file", metavar="FILE", help="a .txt, .md or .html article")
    clean.add_argument(
        "--json",
        action="store_true",
        help='one JSON object: "title", "author", "date", "source", "language", "body"',
    )
    lst = sub.add_parser(
        "list",
        parents=[common],
        allow_abbrev=False,
        help="list the library: id, date, source, highlights, title",
        description="List the articles of a library folder (or one file).",
    )
    lst.add_argument("path", metavar="PATH", nargs="?", help="a folder or one article file")
    lst.add_argument("--json", action="store_true", help="a JSON list of objects")
    export = sub.add_parser(
        "export",
        parents=[common],
        allow_abbrev=False,
        help="write the notes as Markdown (or JSON)",
        description=(
            "Write highlights and notes: Markdown, one file per article in a folder (or all in "
            "one .md file, or - for stdout); --format json writes a W3C Web Annotation "
            "collection. Running it again updates the files in place and keeps what you wrote "
            "outside the generated part."
        ),
    )
    export.add_argument(
        "path", metavar="PATH", nargs="?", help="the library the articles are read from"
    )
    export.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="a folder, a .md (or .json) file, or - for stdout (default: the folder last used, "
        "else reader-notes in your documents folder)",
    )
    export.add_argument("--article", metavar="ID", help="only this article's notes")
    export.add_argument("--color", metavar="NAME", help="only highlights of this colour")
    export.add_argument("--tag", metavar="TAG", help="only highlights with this tag")
    export.add_argument("--since", metavar="DATE", help="only highlights changed since (ISO)")
    export.add_argument("--format", choices=("md", "json"), default="md")
    imp = sub.add_parser(
        "import",
        parents=[common],
        allow_abbrev=False,
        help="merge a JSON annotation collection into the notes",
        description=(
            "Merge a W3C Web Annotation collection (from reader export --format json) into "
            "the notes: new highlights are added; for the same id the newer one wins."
        ),
    )
    imp.add_argument("file", metavar="FILE.json")
    return parser


def _open_parser() -> _Parser:
    parser = _Parser(prog="reader", parents=[_common()], allow_abbrev=False)
    parser.add_argument("path", metavar="PATH", nargs="?")
    return parser


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Parse `argv`; with no command word it is `reader [PATH]` (command "open")."""
    first = _first_positional(argv)
    if first in COMMANDS or (first is None and {"-h", "--help", "--version"} & set(argv)):
        args = build_parser().parse_args(argv)
        if args.command is None:
            raise UsageError("a command is required")
        return args
    args = _open_parser().parse_args(argv)
    args.command = "open"
    return args


def _first_positional(argv: Sequence[str]) -> str | None:
    """The first word that is not an option (after `--`, never a command: `reader -- list`)."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--":
            return ""
        elif arg.startswith("-") and arg != "-":
            skip = arg in _OPTIONS_WITH_VALUE
        else:
            return arg
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    _setup_stdout()
    try:
        args = parse_args(argv)
        _setup_logging(getattr(args, "verbose", 0))
        if args.command == "clean":
            return _clean(args)
        if args.command == "export":
            from reader.commands import export

            return export(args)
        if args.command == "import":
            from reader.commands import import_notes

            return import_notes(args)
        if args.command == "open" and sys.stdin.isatty() and sys.stdout.isatty():
            return _open(args)
        return _list(args, opening=args.command == "open")
    except UsageError as exc:
        return _fail(f"{exc} (see 'reader --help')")
    except CliError as exc:
        return _fail(str(exc))
    except BrokenPipeError:
        # The reader of our output left (`reader list | head`): stop quietly, as a Unix tool
        # killed by SIGPIPE would, and keep Python from complaining at exit.
        _silence_stdout()
        return 141
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug, not the user's doing: one line, details with -v
        logging.getLogger(__name__).debug("internal error", exc_info=True)
        print(
            f"reader: internal error: {type(exc).__name__}: {printable(str(exc))} "
            "(run with -vv for details, and please report it)",
            file=sys.stderr,
        )
        return 70


def _fail(message: str) -> int:
    print(f"reader: error: {printable(message)}", file=sys.stderr)
    return 1


def _clean(args: argparse.Namespace) -> int:
    from reader.library import ArticleError, load_article

    try:
        article = load_article(Path(args.file))
    except ArticleError as exc:
        raise CliError(_file_error(args.file, exc)) from None
    if args.json:
        _write_json(article.to_dict())
    else:
        body = article.body
        _write(body + "\n" if body else "")
    return 0


def _open(args: argparse.Namespace) -> int:
    """`reader [PATH]`: the reading app on a folder, or on one file with its folder around."""
    # Importing Textual makes ~60,000 objects that live as long as the app. The garbage
    # collector would walk them over and over while they are made (15 ms), and again in
    # the first frame (13 ms): it is off while importing, then they are set aside for good.
    gc.disable()
    try:
        from reader import paths
        from reader.app import make_app  # Textual is imported here, and only here
        from reader.library import library_root
        from reader.store import Store
    finally:
        gc.freeze()
        gc.enable()

    path = Path(args.path) if args.path else paths.default_library()
    if not path.exists():
        raise CliError(f"cannot open '{args.path}': no such file or folder")
    root, single = library_root(path)
    cache_dir = paths.cache_dir()
    with Store(paths.db_path(getattr(args, "db", None)), cache_dir=cache_dir) as store:
        make_app(root, store, open_file=single, cache_dir=cache_dir).run()
    return 0


def _list(args: argparse.Namespace, *, opening: bool) -> int:
    from reader import paths
    from reader.library import ArticleError
    from reader.listing import list_library, with_counts
    from reader.store import Store, StoreError

    path = Path(args.path) if args.path else paths.default_library()
    try:
        summaries = list_library(path, paths.cache_dir())
    except ArticleError as exc:
        raise CliError(_file_error(str(path), exc)) from None
    try:
        counts = Store(paths.db_path(getattr(args, "db", None))).highlight_counts()
    except StoreError as exc:
        raise CliError(str(exc)) from None
    summaries = with_counts(summaries, counts)
    if opening:  # `reader` with no terminal to draw on: the list is what can be shown
        print("reader: not a terminal; here is the library list.", file=sys.stderr)
    if getattr(args, "json", False):
        _write_json([summary.to_dict() for summary in summaries])
    elif summaries:
        _write(format_table(summaries, _terminal_width()))
    else:
        print(f"reader: no articles in '{printable(str(path))}'", file=sys.stderr)
    return 0


def _file_error(name: str, exc: ArticleError) -> str:
    if exc.unreadable:
        return f"cannot read '{name}': {exc.detail}"
    return f"'{name}' is not an article: {exc.detail}"


def format_table(summaries: Sequence[Summary], width: int | None = None) -> str:
    """The library as a text table; titles are cut to `width` columns when it is given."""
    rows = [("ID", "DATE", "SOURCE", "HL", "TITLE")]
    for s in summaries:
        title = printable(f"! {s.error}" if s.error else (s.title or "(untitled)"))
        source = _cut(printable(s.source or ""), _SOURCE_CAP)
        rows.append((printable(s.id), printable(s.date or ""), source, str(s.highlights), title))
    widths = [max(len(row[col]) for row in rows) for col in range(4)]
    lines = []
    for row in rows:
        cells = [
            row[0].ljust(widths[0]),
            row[1].ljust(widths[1]),
            row[2].ljust(widths[2]),
            row[3].rjust(widths[3]),
        ]
        head = "  ".join(cells) + "  "
        title = row[4]
        if width is not None:
            title = _cut(title, max(width - len(head), 10))
        lines.append((head + title).rstrip())
    return "\n".join(lines) + "\n"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def printable(text: str) -> str:
    """`text` made safe to show on one line (control, bidi and surrogate characters replaced)."""
    from reader.library import safe_name

    return safe_name(text)


def _terminal_width() -> int | None:
    """The terminal's width if stdout is one; None (no cutting) when piped."""
    try:
        if not sys.stdout.isatty():
            return None
        return os.get_terminal_size(sys.stdout.fileno()).columns
    except (OSError, ValueError, AttributeError):
        return None


def _setup_logging(verbose: int) -> None:
    root = logging.getLogger()
    if verbose:
        logging.basicConfig(
            level=logging.DEBUG if verbose > 1 else logging.INFO,
            format="reader: %(levelname)s: %(name)s: %(message)s",
        )
        return
    # Quiet by default: our own warnings only, never a library's chatter (trafilatura logs a lot).
    root.addHandler(logging.NullHandler())
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("reader: warning: %(message)s"))
    own = logging.getLogger("reader")
    own.addHandler(handler)
    own.setLevel(logging.WARNING)


def _setup_stdout() -> None:
    # UTF-8 whatever the locale says: article text is rarely ASCII.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors="replace")


def _write(text: str) -> None:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise CliError(f"cannot write the output: {exc.strerror or exc}") from None


def _write_json(value: object) -> None:
    import orjson

    write_bytes(orjson.dumps(value) + b"\n")  # UTF-8, non-ASCII as is


def write_bytes(data: bytes) -> None:
    """Bytes to stdout, after what was printed before; a failure is one line."""
    try:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise CliError(f"cannot write the output: {exc.strerror or exc}") from None


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
