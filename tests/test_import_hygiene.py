"""The core never imports a UI library; the command line stays light until it needs more."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = sorted((ROOT / "articles").glob("*.txt"))[0]
CORE = [
    "reader.models",
    "reader.library",
    "reader.webpage",
    "reader.clean",
    "reader.paths",
    "reader.listing",
    "reader.lang",
    "reader.lexicon",
    "reader.dates",
    "reader.layout",
    "reader.store",
    "reader.storage",
    "reader.shards",
    "reader.articles_cache",
    "reader.highlights_cache",
    "reader.keys",
    "reader.anchor",
    "reader.highlights",
    "reader.notes",
    "reader.markdown",
    "reader.export",
    "reader.interchange",
]
UI = ("textual", "rich")


def loaded_after(code: str) -> set[str]:
    """The top-level packages loaded by running `code` in a fresh interpreter."""
    script = (
        f"import sys\n{code}\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return set(result.stdout.split())


@pytest.mark.parametrize("module", [*CORE, "reader.cli"])
def test_core_modules_import_no_ui(module: str) -> None:
    assert not loaded_after(f"import {module}") & set(UI)


@pytest.mark.parametrize(
    "argv",
    [["clean", str(SAMPLE)], ["clean", "--json", str(SAMPLE)], ["list", str(SAMPLE.parent)]],
)
def test_commands_import_no_ui_and_no_html_parser(argv: list[str], tmp_path: Path) -> None:
    code = (
        "import contextlib, io, os\n"
        f"os.environ['READER_CACHE_DIR'] = {str(tmp_path)!r}\n"
        "from reader.cli import main\n"
        "with contextlib.redirect_stdout(io.TextIOWrapper(io.BytesIO())):\n"
        f"    assert main({argv!r}) == 0\n"
    )
    loaded = loaded_after(code)
    assert not loaded & set(UI)
    # Plain UTF-8 articles need neither trafilatura nor charset detection (~0.3 s to import).
    assert not loaded & {"trafilatura", "charset_normalizer"}


def test_cli_import_is_light() -> None:
    heavy = {"orjson", "platformdirs", "trafilatura", "charset_normalizer", "lxml"}
    assert not loaded_after("import reader.cli") & heavy
