"""Fingerprints of the help-centre pages the product was built from (the "seeds"), so that a
test can hold the catalog to them without the pages in the repository (they are third-party
text): a SHA-256 of every 30-character prefix of an error the catalog names that the pages
quote, and of every sentence of the pages, lower-cased with white space collapsed.

    python -m qbo_devkit.seeds_fingerprints SEEDS_DIR > tests/include/qbo_sync/seeds_fingerprints.json
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

from qbo_sync import catalog


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).lower()


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def error_probe(name: str) -> str:
    """The part of an error's name that the pages quote verbatim."""
    return re.sub(r"\s+", " ", name).lower().strip(' ."').split("ref#")[0].strip()[:30]


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?]) ", text) if len(s) > 40]


def fingerprints(seeds: Path) -> dict[str, list[str]]:
    text = normalise("\n".join(p.read_text(errors="replace") for p in sorted(seeds.glob("0*.txt"))))
    probes = sorted({digest(error_probe(n)) for n in catalog.SEEDS_ERRORS if "(" not in n and error_probe(n) in text})
    return {"error_probes": probes, "sentences": sorted({digest(s) for s in sentences(text)})}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or not Path(args[0]).is_dir():
        print(
            "usage: python -m qbo_devkit.seeds_fingerprints SEEDS_DIR (the folder of the seed pages)", file=sys.stderr
        )
        return 2
    json.dump(fingerprints(Path(args[0])), sys.stdout, indent=0)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
