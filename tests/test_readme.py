"""The README says what the program does: its key table is the app's."""

from __future__ import annotations

from pathlib import Path

from reader.keys import KEYS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")


def test_every_key_is_in_the_readme() -> None:
    for where, keys, does in KEYS:
        assert f"| {where} | {keys.replace('|', chr(92) + '|')} | {does} |" in README


def test_the_first_screen_gives_the_two_commands() -> None:
    first_screen = "\n".join(README.splitlines()[:30])
    assert "pip install -e . && .venv/bin/reader articles" in first_screen
    assert "pip install -e '.[test]' && .venv/bin/python -m pytest -q" in first_screen
