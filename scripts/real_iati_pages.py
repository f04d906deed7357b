"""Collect the real IATI pages of UN publishers that tests/integration/test_real_iati_pages.py loads.

The pages are their publishers' data, not the project's: tests/real_iati/pages.tsv names each one (repository,
commit, path, sha256) and this script copies them out of a local clone or mirror of that repository into
.gwh/real-iati/ (ignored by git), checking every file's sha256. The test is skipped where the folder is absent.

    python scripts/real_iati_pages.py GIT_DIR [GIT_DIR ...]

GIT_DIR is a clone (or bare mirror) of a repository the manifest names, e.g. of
https://github.com/OCHA-DAP/hdx-scraper-iati-viz (the pages are in its history, not its latest commit).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / "tests" / "real_iati" / "pages.tsv"
FOLDER = ROOT / ".gwh" / "real-iati"


def pages() -> list[dict[str, str]]:
    with MANIFEST.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def file_name(page: dict[str, str]) -> str:
    """The page's name in the folder: its commit's first 7 characters and its file name (pages repeat by name)."""
    return f"{page['commit'][:7]}_{Path(page['path']).name}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("git_dirs", nargs="+", type=Path, help="clones or mirrors of the manifest's repositories")
    args = parser.parse_args()
    FOLDER.mkdir(parents=True, exist_ok=True)
    copied = failed = 0
    for page in pages():
        for git_dir in args.git_dirs:
            shown = subprocess.run(
                [
                    "git",
                    "--git-dir" if (git_dir / "HEAD").is_file() else "-C",
                    str(git_dir),
                    "show",
                    f"{page['commit']}:{page['path']}",
                ],
                capture_output=True,
            )
            if shown.returncode == 0:
                break
        else:
            print(f"not found in any GIT_DIR: {page['repo']} {page['commit'][:7]} {page['path']}", file=sys.stderr)
            failed += 1
            continue
        if hashlib.sha256(shown.stdout).hexdigest() != page["sha256"]:
            print(f"sha256 differs from the manifest: {page['path']} at {page['commit'][:7]}", file=sys.stderr)
            failed += 1
            continue
        (FOLDER / file_name(page)).write_bytes(shown.stdout)
        copied += 1
    print(f"{copied} page(s) in {FOLDER}" + (f", {failed} missing" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
