"""A child process for the fault tests, as the app's store is used in a real process.

python tests/fault_child.py hold DB
    take the store's lock (a transaction), print "locked" and sleep until killed
python tests/fault_child.py save DB COUNT TAG [--articles N] [--note-size N]
    save highlights `TAG-0`, `TAG-1`, ... one at a time (tests/store_child.py's), printing
    each id once saved; at the first StoreError print "error: MESSAGE" and exit 1
"""

from __future__ import annotations

import argparse
import sys
import time

from msgspec import structs
from store_child import highlight

from reader.store import Store, StoreError


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("hold", "save"))
    parser.add_argument("db")
    parser.add_argument("count", type=int, nargs="?", default=0)
    parser.add_argument("tag", nargs="?", default="c")
    parser.add_argument("--articles", type=int, default=37)
    parser.add_argument("--note-size", type=int, default=0)
    args = parser.parse_args()
    store = Store(args.db)
    out = sys.stdout
    if args.mode == "hold":
        with store.transaction():
            out.write("locked\n")
            out.flush()
            while True:
                time.sleep(60)
    for i in range(args.count):
        item = highlight(args.tag, i, args.articles)
        if args.note_size:
            item = structs.replace(item, note=item.note + " " + "n" * args.note_size)
        try:
            store.save_highlight(item)
        except StoreError as exc:
            out.write(f"error: {exc}\n")
            out.flush()
            return 1
        out.write(item.id + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
