"""Save the README's screenshot: the app on the sample articles, as an SVG it draws itself.

python docs/make_screenshot.py
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path

from reader.app import make_app
from reader.store import Store

HERE = Path(__file__).resolve().parent


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        library = Path(tmp) / "articles"
        shutil.copytree(HERE.parent / "articles", library)
        app = make_app(library, Store(Path(tmp) / "notes.json"), cache_dir=Path(tmp) / "cache")
        async with app.run_test(size=(110, 32)) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            for key in ("down", "enter", "/"):
                await pilot.press(key)
            for key in "deserteurs":
                await pilot.press(key)
            await pilot.press("enter")
            await pilot.pause(0.3)
            app.save_screenshot("screenshot.svg", str(HERE))


if __name__ == "__main__":
    asyncio.run(main())
