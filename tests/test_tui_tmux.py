"""The real `reader` command in a real terminal (tmux): keys sent, the screen read back."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.store import Store

ARTICLES = Path(__file__).resolve().parent.parent / "articles"
READER = Path(sys.executable).with_name("reader")

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None or not READER.exists(),
    reason="needs tmux and the installed `reader` command",
)


class Terminal:
    """One tmux session on a private server, 100x30, running a command."""

    def __init__(self, command: str, env: dict[str, str]) -> None:
        self.socket = f"reader-test-{uuid.uuid4().hex[:8]}"
        self.session = "t"
        options = [arg for key, value in env.items() for arg in ("-e", f"{key}={value}")]
        self.tmux(
            "new-session",
            "-d",
            "-s",
            self.session,
            "-x",
            "100",
            "-y",
            "30",
            *options,
            f"{command}; echo EXITED-$?; sleep 30",
        )

    def tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], check=True, capture_output=True, text=True
        ).stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.session)

    def title(self) -> str:
        return self.tmux("display-message", "-p", "-t", self.session, "#{pane_title}")

    def keys(self, *keys: str) -> None:
        for key in keys:  # one at a time, as a person types
            self.tmux("send-keys", "-t", self.session, key)
            # An escape followed at once by a key reads as alt+key; a person pauses.
            time.sleep(0.4 if key == "Escape" else 0.05)

    def wait_for(self, text: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} not on screen:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


_SGR = re.compile(r"\x1b\[([0-9;]*)m")


def background_at(line: str, text: str) -> str | None:
    """The background colour (SGR parameters) in effect where `text` starts in a captured line
    (`tmux capture-pane -e`), or None for the terminal's default."""
    plain, backgrounds, background = [], [], None
    position = 0
    for match in _SGR.finditer(line + "\x1b[m"):
        chunk = line[position : match.start()]
        plain.append(chunk)
        backgrounds += [background] * len(chunk)
        position = match.end()
        params = match.group(1).split(";") if match.group(1) else ["0"]
        i = 0
        while i < len(params):
            if params[i] in ("0", "49"):
                background = None
            elif params[i] == "48" and i + 1 < len(params):
                width = 3 if params[i + 1] == "5" else 5
                background = ";".join(params[i : i + width])
                i += width - 1
            elif params[i] in ("38",) and i + 1 < len(params):
                i += 2 if params[i + 1] == "5" else 4
            i += 1
    at = "".join(plain).index(text)
    return backgrounds[at]


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str], list[Terminal]]]:
    library = tmp_path / "articles"
    shutil.copytree(ARTICLES, library)
    env = {
        "READER_DB": str(tmp_path / "notes.json"),
        "READER_CACHE_DIR": str(tmp_path / "cache"),
        "TERM": "xterm-256color",
        "PATH": os.environ.get("PATH", ""),
    }
    opened: list[Terminal] = []
    yield library, env, opened
    for term in opened:
        term.close()


def test_read_search_help_and_quit_in_a_real_terminal(
    terminal: tuple[Path, dict[str, str], list[Terminal]],
) -> None:
    library, env, opened = terminal
    term = Terminal(f"{READER} {library}", env)
    opened.append(term)
    term.wait_for("Guerre en Ukraine")
    # The second article in the list, opened from the sidebar.
    term.keys("Down", "Enter")
    term.wait_for("Des combattants russes ont choisi de")
    term.keys("G")
    term.wait_for("100%")
    term.keys("g", "/", *"deserteurs", "Enter")
    screen = term.wait_for("match 1/")
    assert "no match" not in screen
    term.keys("?")
    term.wait_for("Keys of the reader")
    term.keys("Escape", "q")
    term.wait_for("EXITED-0")


def test_the_position_is_kept_across_runs(
    terminal: tuple[Path, dict[str, str], list[Terminal]],
) -> None:
    library, env, opened = terminal
    first = Terminal(f"{READER} {library}", env)
    opened.append(first)
    first.wait_for("Guerre en Ukraine")
    first.keys("Down", "Enter")
    first.wait_for("Des combattants russes ont choisi de")
    first.keys("G")
    first.wait_for("100%")
    first.keys("q")
    first.wait_for("EXITED-0")
    second = Terminal(f"{READER} {library}", env)
    opened.append(second)
    second.wait_for("100%")  # the article, where it was left: in the first frame
    second.wait_for("Guerre en Ukraine")  # then the list, read in a worker
    second.wait_for("Quit")  # and the footer with the keys


def test_hostile_text_shows_literally_and_leaves_the_terminal_alone(
    terminal: tuple[Path, dict[str, str], list[Terminal]],
) -> None:
    library, env, opened = terminal
    hostile = library / "hostile.txt"
    hostile.write_bytes(
        b"[@click=app.quit]Click me[/]\n\n"
        b"This paragraph tries to set the terminal title: \x1b]2;pwned\x07 and then goes on "
        b"with plain words so that it reads as the body of a story, long enough to be one.\n\n"
        b"A second paragraph follows, just as plain, so that the cleaner keeps a story here "
        b"and shows it in the reading pane for the test to look at.\n"
    )
    term = Terminal(f"{READER} {hostile}", env)
    opened.append(term)
    before = term.title()
    screen = term.wait_for("[@click=app.quit]Click me[/]")
    assert "pwned" in screen  # shown as text, its escape characters replaced
    assert term.title() == before
    assert "pwned" not in term.title()
    term.keys("q")
    term.wait_for("EXITED-0")


def test_highlight_and_note_in_a_real_terminal_then_list_and_reopen(
    terminal: tuple[Path, dict[str, str], list[Terminal]],
) -> None:
    library, env, opened = terminal
    article = library / "001_d5ff22c185f78ace.txt"
    term = Terminal(f"{READER} {article}", env)
    opened.append(term)
    term.wait_for("Des combattants russes ont choisi de")
    term.keys("v", "w", "w", "w", "m")  # the first three words of the body
    term.keys(")", "a")  # the next sentence, with a note
    term.wait_for("ctrl+s save")
    term.keys(*"Pourquoi ils changent de camp #motifs")
    term.keys("C-s")
    term.wait_for("Des combattants russes ont choisi de")
    time.sleep(0.5)
    term.keys("q")
    term.wait_for("EXITED-0")

    listed = subprocess.run(
        [str(READER), "list", "--json", str(library)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    counts = {item["id"]: item["highlights"] for item in json.loads(listed.stdout)}
    assert counts[article.name] == 2
    notes = Store(env["READER_DB"]).highlights(article.name)
    assert notes[0].anchor.quote == "Des combattants russes"
    assert notes[1].note == "Pourquoi ils changent de camp #motifs"
    assert notes[1].tags == ("motifs",)

    again = Terminal(f"{READER} {article}", env)
    opened.append(again)
    again.wait_for("Des combattants russes ont choisi de")
    # Painted (the highlights come a moment after the text): the three words carry a
    # background that the words after them do not have.
    deadline = time.monotonic() + 10
    while True:
        painted = again.tmux("capture-pane", "-p", "-e", "-t", again.session)
        line = next(r for r in painted.splitlines() if "combattants russes ont" in _SGR.sub("", r))
        marked = background_at(line, "Des combattants russes")
        if marked is not None and marked != background_at(line, "ont choisi"):
            break
        assert time.monotonic() < deadline, f"never painted: {line!r}"
        time.sleep(0.1)
    again.keys("q")
    again.wait_for("EXITED-0")


def test_export_with_e_in_a_real_terminal(
    terminal: tuple[Path, dict[str, str], list[Terminal]], tmp_path: Path
) -> None:
    library, env, opened = terminal
    home = tmp_path / "home"
    home.mkdir()
    env = {**env, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}
    article = library / "001_d5ff22c185f78ace.txt"
    term = Terminal(f"{READER} {article}", env)
    opened.append(term)
    term.wait_for("Des combattants russes ont choisi de")
    term.keys("v", "w", "w", "w", "m", ")", "a")
    term.wait_for("ctrl+s save")
    term.keys(*"Un choix de camp #motifs")
    term.keys("C-s")
    term.wait_for("Des combattants russes ont choisi de")
    term.keys("e")
    term.wait_for("Export notes to Markdown")
    term.keys("Enter")  # the path offered: reader-notes in the documents folder
    term.wait_for("highlight(s):")
    term.keys("q")
    term.wait_for("EXITED-0")
    (written,) = (home / "Documents" / "reader-notes").glob("*.md")
    text = written.read_text("utf-8")
    assert "> Des combattants russes\n" in text
    assert "Un choix de camp #motifs" in text
    assert 'article: "001_d5ff22c185f78ace.txt"' in text
