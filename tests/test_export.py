"""Markdown export: golden files of the samples, hostile text, re-export, filters, the command."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt
from msgspec import structs

from reader.anchor import make_anchor
from reader.export import Filters, entries, parse_since, write_file, write_folder
from reader.library import load_article
from reader.markdown import Entry, Rendered, document, render
from reader.models import Article, Block, Highlight
from reader.store import Store

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "articles"
GOLDEN = Path(__file__).resolve().parent / "golden"
STAMP = "2026-11-01T10:00:00.000+00:00"


def hl(
    article_id: str,
    body: str,
    needle: str,
    n: int,
    *,
    note: str = "",
    color: str = "yellow",
    tags: tuple[str, ...] = (),
    status: str = "ok",
) -> Highlight:
    """A highlight of the first occurrence of `needle`, with a fixed id and times."""
    start = body.index(needle)
    return Highlight.at(
        make_anchor(body, start, start + len(needle)),
        id=f"{n:016x}",
        article=article_id,
        color=color,
        note=note,
        tags=tags,
        created=STAMP,
        updated=STAMP,
        status=status,  # type: ignore[arg-type]
    )


def sample_entries() -> list[Entry]:
    """Two samples with highlights under several subheadings, Markdown notes, tags, an orphan."""
    first = load_article(ARTICLES / "000_a241a64399371a5a.txt")
    second = load_article(ARTICLES / "001_d5ff22c185f78ace.txt")
    a, b = "000_a241a64399371a5a.txt", "001_d5ff22c185f78ace.txt"
    gone = "Une phrase que le nettoyeur a fini par retirer du texte de l'article."
    orphan = structs.replace(
        hl(a, gone, gone, 9, note="Retrouver la source #todo", tags=("todo",)), status="orphan"
    )
    return [
        Entry(
            a,
            first,
            [
                hl(a, first.body, "Rien que ce matin du 29 décembre", 1, color="blue"),
                hl(
                    a,
                    first.body,
                    "Un choix assumé",
                    2,
                    note="Le **choix** des mots :\n- assumé\n- revendiqué\n\n#motifs",
                    tags=("motifs",),
                ),
                orphan,
            ],
        ),
        Entry(
            b,
            second,
            [
                hl(b, second.body, "Des combattants russes ont choisi de déserter", 3),
                hl(
                    b,
                    second.body,
                    "liberté",
                    4,
                    note="Voir `la légion` et [[Légion Liberté]]",
                    color="green",
                ),
            ],
        ),
    ]


def rendered(items: list[Entry]) -> list[Rendered]:
    return [render(item) for item in items]


def headings(markdown: str) -> list[str]:
    """The text of every heading a CommonMark reader sees in `markdown` (front matter off)."""
    body = markdown.split("\n---\n", 1)[1]
    tokens = MarkdownIt("commonmark").parse(body)
    return [tokens[i + 1].content for i, token in enumerate(tokens) if token.type == "heading_open"]


def front(markdown: str) -> dict[str, object]:
    assert markdown.startswith("---\n")
    data = yaml.safe_load(markdown[4 : markdown.index("\n---\n")])
    assert isinstance(data, dict)
    return data


# -- golden files -------------------------------------------------------------------------


@pytest.mark.parametrize("index", [0, 1])
def test_the_markdown_of_the_samples_is_the_golden_file(index: int) -> None:
    entry = sample_entries()[index]
    text = document([entry])
    golden = GOLDEN / f"{Path(entry.article_id).stem}.md"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, "utf-8")
    assert text == golden.read_text("utf-8")


def test_front_matter_parses_back_with_the_article_metadata() -> None:
    entry = sample_entries()[1]
    data = front(document([entry]))
    assert data == {
        "title": entry.article.title if entry.article else None,
        "author": None,
        "source": "BFMTV",
        "date": None,
        "article": "001_d5ff22c185f78ace.txt",
        "language": "fr",
        "highlights": 2,
        "tags": [],
    }


def test_highlights_sit_under_the_articles_own_subheadings_in_reading_order() -> None:
    text = document([sample_entries()[0]])
    assert headings(text) == [
        "Rien que ce matin du 29 décembre, Kiev a annoncé…",
        "Un choix assumé",
        "Orphans",
    ]
    assert text.index("^hl-0000000000000001") < text.index("^hl-0000000000000002")
    assert text.index("## Un choix assumé") < text.index("^hl-0000000000000002")
    assert text.index("## Orphans") < text.index("^hl-0000000000000009")


# -- hostile text ---------------------------------------------------------------------------

HOSTILE_NOTES = [
    "---\ntitle: pwned\n---",
    "# a heading\n## another\nText\n===\nmore\n---",
    "```\nan unclosed fence that would hide the rest",
    "<!-- reader:end -->\n<!-- reader:begin article=x -->",
    "%% an Obsidian comment that never ends",
    "<script>\nalert(1)",
    "$$ math that never ends",
    "back`ticks` and ]] and [[ and [link](javascript:alert(1)) and [b]x[/b]",
]


@pytest.mark.parametrize("note", HOSTILE_NOTES)
def test_a_note_cannot_change_the_files_structure(note: str) -> None:
    body = "Un premier paragraphe assez long pour être surligné.\n\nUn second paragraphe."
    article = Article(title="Titre", blocks=(Block("paragraph", body.split("\n\n")[0]),))
    article = Article(
        title="Titre",
        blocks=tuple(Block("paragraph", text) for text in body.split("\n\n")),
    )
    first = hl("a.txt", article.body, "Un premier paragraphe", 1, note=note)
    second = hl("a.txt", article.body, "Un second paragraphe", 2, note="après")
    text = document([Entry("a.txt", article, [first, second])])
    assert front(text)["title"] == "Titre"
    assert headings(text) == ["Titre"]
    # What follows the note is still there, outside any code block or comment.
    tokens = MarkdownIt("commonmark").parse(text.split("\n---\n", 1)[1])
    visible = " ".join(t.content for t in tokens if t.type == "inline")
    assert "Un second paragraphe" in visible and "après" in visible
    assert text.count("<!-- reader:end -->\n") == 1 and text.endswith("<!-- reader:end -->\n")


@pytest.mark.parametrize(
    "title",
    [
        "../../x",
        "Un titre\n# sur deux lignes\n---",
        "[@click=app.quit]Click me[/]",
        "`code` ]] [[lien]] <b>gras</b> *x* _y_",
        'Guillemets "doubles" et \\ barre: avec deux-points',
        "\u2028séparateur\u2029 et \ufeff BOM",
    ],
)
def test_a_hostile_title_keeps_the_structure_and_the_folder(title: str, tmp_path: Path) -> None:
    article = Article(title=title, blocks=(Block("paragraph", "Un paragraphe à surligner."),))
    entry = Entry("a.txt", article, [hl("a.txt", article.body, "paragraphe", 1)])
    out = tmp_path / "out"
    done = write_folder(out, rendered([entry]))
    (path,) = done.written
    assert path.parent == out and path.suffix == ".md"
    assert list(out.iterdir()) == [path] and not (tmp_path / "x.md").exists()
    text = path.read_text("utf-8")
    assert front(text)["title"] == title
    assert len(headings(text)) == 1  # the title, on one line


# -- writing again ------------------------------------------------------------------------


def test_a_second_export_writes_the_same_bytes_and_keeps_the_users_text(tmp_path: Path) -> None:
    items = sample_entries()
    out = tmp_path / "notes"
    first = write_folder(out, rendered(items))
    assert len(first.written) == 2
    path = first.written[1]
    again = write_folder(out, rendered(items))
    assert again.written == () and set(again.unchanged) == set(first.written)
    # The user writes above and below the generated part, and a key of their own.
    text = path.read_text("utf-8")
    text = text.replace("---\n\n<!--", "---\n\nMes réflexions avant.\n\n<!--", 1)
    text = text.replace("language:", "aliases: [soldats]\nlanguage:", 1)
    text += "\n## Mes idées\n\nÀ creuser.\n"
    path.write_text(text, "utf-8")
    changed = [
        dataclasses.replace(items[1], highlights=[*items[1].highlights[:1]]),
        items[0],
    ]
    write_folder(out, rendered(changed))
    after = path.read_text("utf-8")
    assert "Mes réflexions avant." in after and "## Mes idées\n\nÀ creuser." in after
    assert front(after)["aliases"] == ["soldats"] and front(after)["highlights"] == 1
    assert "^hl-0000000000000004" not in after and "^hl-0000000000000003" in after
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in first.written)


def test_a_file_of_the_user_with_the_same_name_is_not_touched(tmp_path: Path) -> None:
    items = sample_entries()[1:]
    out = tmp_path / "notes"
    name = write_folder(tmp_path / "probe", rendered(items)).written[0].name
    out.mkdir()
    (out / name).write_text("Mon propre fichier.\n", "utf-8")
    (written,) = write_folder(out, rendered(items)).written
    assert written.name != name
    assert (out / name).read_text("utf-8") == "Mon propre fichier.\n"


def test_one_file_for_all_articles_is_updated_in_place(tmp_path: Path) -> None:
    target = tmp_path / "all.md"
    items = sample_entries()
    write_file(target, rendered(items))
    text = target.read_text("utf-8")
    assert front(text)["articles"] == [e.article_id for e in items]
    target.write_text(text + "\nMa conclusion.\n", "utf-8")
    assert (
        write_file(target, rendered(items)).written == ()
    )  # nothing changed in the generated parts
    write_file(target, rendered(items[:1]))
    after = target.read_text("utf-8")
    assert "Ma conclusion." in after and "^hl-0000000000000003" in after  # kept, not removed


# -- filters --------------------------------------------------------------------------------


def test_filters_pick_by_article_colour_tag_and_date() -> None:
    highlights = [h for e in sample_entries() for h in e.highlights]
    later = structs.replace(highlights[3], updated="2026-11-20T08:00:00.000+00:00")
    highlights[3] = later

    def ids(filters: Filters) -> list[str]:
        return [h.id for e in entries(highlights, filters, lambda _: None) for h in e.highlights]

    assert ids(Filters(article="001_d5ff22c185f78ace.txt")) == [highlights[3].id, highlights[4].id]
    assert ids(Filters(color="green")) == [highlights[4].id]
    assert ids(Filters(tag="#MOTIFS")) == [highlights[1].id]
    assert ids(Filters(since=parse_since("2026-11-15"))) == [later.id]


# -- the command --------------------------------------------------------------------------


def run(*args: str, db: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "READER_DB": str(db), "READER_CACHE_DIR": str(cwd / "cache")}
    return subprocess.run(
        [sys.executable, "-m", "reader", *args], capture_output=True, text=True, env=env, cwd=cwd
    )


def test_reader_export_writes_the_folder_and_stdout(tmp_path: Path) -> None:
    db = tmp_path / "notes.json"
    Store(db).save_highlights([h for e in sample_entries() for h in e.highlights])
    done = run("export", str(ARTICLES), "-o", str(tmp_path / "out"), db=db, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert len(list((tmp_path / "out").glob("*.md"))) == 2
    assert "5 highlight(s) of 2 article(s)" in done.stderr
    shown = run("export", str(ARTICLES), "-o", "-", "--color", "green", db=db, cwd=tmp_path)
    assert shown.returncode == 0 and "^hl-0000000000000004" in shown.stdout
    assert "^hl-0000000000000003" not in shown.stdout
    # The folder used is remembered as the default.
    assert Store(db).setting("export_folder", "") == str((tmp_path / "out").resolve())


def test_reader_export_errors_are_one_line_and_change_nothing(tmp_path: Path) -> None:
    db = tmp_path / "notes.json"
    Store(db).save_highlights(sample_entries()[0].highlights)

    def files() -> dict[str, bytes]:
        return {str(p): p.read_bytes() for p in tmp_path.glob("notes.json*/**/*") if p.is_file()}

    before = files()
    assert before
    (tmp_path / "blocked").write_text("a file where the folder should be", "utf-8")
    bad = run("export", str(ARTICLES), "-o", str(tmp_path / "blocked" / "x"), db=db, cwd=tmp_path)
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1
    assert bad.stderr.startswith("reader: error: ") and "Traceback" not in bad.stderr
    colour = run("export", "-o", "-", "--color", "teal", db=db, cwd=tmp_path)
    assert colour.returncode == 1 and "unknown colour" in colour.stderr
    since = run("export", "-o", "-", "--since", "yesterday", db=db, cwd=tmp_path)
    assert since.returncode == 1 and since.stderr.count("\n") == 1
    assert files() == before
