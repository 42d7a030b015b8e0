"""Score reader.clean in-process on the development set (fast loop; score.py is the official one).

    python bench/score_dev.py [--lang fr] [--show N] [--case ID]

Uses the same snippet matching as ../shared/bench/score.py (imported from there).
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEV = HERE.parent.parent / "shared" / "bench" / "clean-dev"
sys.path.insert(0, str(DEV.parent))
sys.path.insert(0, str(HERE.parent))

from reader.clean import clean  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang")
    ap.add_argument("--show", type=int, default=0, help="print the N worst cases")
    ap.add_argument("--case", action="append", default=[])
    ap.add_argument("--dir", type=Path, default=DEV)
    args = ap.parse_args()
    try:
        import score  # the benchmark's own scorer (norm, scores), beside the repo
    except ModuleNotFoundError:
        ap.error(f"the scorer {DEV.parent / 'score.py'} is not there (../shared beside the repo)")
    cases = json.loads((args.dir / "cases.json").read_text("utf-8"))["cases"]
    if args.lang:
        cases = [c for c in cases if c.get("lang") == args.lang]
    if args.case:
        cases = [c for c in cases if c["id"] in args.case]
    tot = [0, 0, 0, 0]
    by_lang: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0, 0, 0])
    rows = []
    elapsed = 0.0
    nbytes = 0
    for c in cases:
        text = (args.dir / c["txt"]).read_text("utf-8")
        nbytes += len(text.encode())
        t0 = time.process_time()
        body = clean(text).body
        elapsed += time.process_time() - t0
        nout = score.norm(body)
        missed = [s for s in c["with"] if score.norm(s) not in nout]
        kept = [s for s in c["without"] if score.norm(s) in nout]
        row = [len(c["with"]) - len(missed), len(c["with"]), len(kept), len(c["without"])]
        for i in range(4):
            tot[i] += row[i]
            by_lang[c.get("lang") or "?"][i] += row[i]
        rows.append((len(missed) + len(kept), c, missed, kept))
    for _count, c, missed, kept in sorted(rows, key=lambda r: -r[0])[: args.show]:
        print(f"--- {c['id']} {c.get('lang')} {c['file']}")
        for s in missed:
            print("   MISSED:", s[:110])
        for s in kept:
            print("   KEPT:  ", s[:110])
    for lang, t in sorted(by_lang.items(), key=lambda kv: -kv[1][1]):
        r, p, f = score.scores(*t)
        print(f"{lang:>3} R {r:.3f} P {p:.3f} F1 {f:.3f}  ({t})")
    r, p, f = score.scores(*tot)
    print(f"all R {r:.4f} P {p:.4f} F1 {f:.4f}   {nbytes / 1e6 / elapsed:.1f} MB/s")


if __name__ == "__main__":
    main()
