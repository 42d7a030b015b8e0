"""Helpers for the Pilot tests of the app."""

from __future__ import annotations

from textual.pilot import Pilot


async def settle(pilot: Pilot[None]) -> None:
    """Let every worker (library, open, save) finish and the screen catch up."""
    app = pilot.app
    # Two frames: a worker may be started only after the first one is drawn.
    await pilot.pause()
    await pilot.pause()
    for _ in range(20):
        running = [worker for worker in app.workers if not worker.is_finished]
        if not running:
            break
        await app.workers.wait_for_complete(running)
        await pilot.pause()
    drain = getattr(app, "drain_writes", None)
    if drain is not None:
        await drain()  # the store's writes run on a thread of their own
    await pilot.pause()
