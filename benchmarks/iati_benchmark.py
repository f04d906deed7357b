"""IATI benchmark: `gwh ingest` of a large IATI 2.03 activity file, start to finish, with its peak memory.

The file repeats the sample Malawi activity (participants, a budget, transactions, results by sex) under new
identifiers until it holds `--activities` activities. The ingest is the whole command in a fresh process: safe
parse, validation of every activity against the IATI 2.03 schema, mapping to the three programme tables, typing,
every rule of their suites, COPY, audit rows. Also timed alone: reading (the streamed safe parse, the schema
validation of every activity and the mapping to rows).

    python benchmarks/iati_benchmark.py [--activities 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
from pathlib import Path

from lxml import etree

from gender_warehouse.readers import iati_reader

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from ingest_benchmark import DATA, admin_url, drop_database, fresh_database, time_ingest  # noqa: E402

SAMPLE = HERE.parent / "include" / "sample_submissions" / "programmes" / "malawi_peacebuilding_UN-WOMEN.xml"


def generate(path: Path, activities: int) -> Path:
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    source = etree.parse(str(SAMPLE)).getroot()
    [template] = source.findall("iati-activity")
    root = etree.Element("iati-activities", source.attrib)
    for n in range(activities):
        activity = copy.deepcopy(template)
        identifier = activity.find("iati-identifier")
        identifier.text = f"{identifier.text}-{n:06d}"
        root.append(activity)
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--activities", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    path = generate(DATA / f"iati_activities_{args.activities}.xml", args.activities)
    admin = admin_url()
    print(f"file: {path.name}, {args.activities:,} activities, {path.stat().st_size / 1e6:.1f} MB")

    iati_reader.activities_schema()
    reads = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        sources = iati_reader.read_iati(path)
        tables = [s.read() for s in sources]
        reads.append(time.perf_counter() - started)
    del sources, tables

    ingests, peaks = [], []
    for _ in range(args.repeat):
        name, url = fresh_database(admin)
        try:
            seconds, peak, output = time_ingest(url, path, "--no-docs")
            ingests.append(seconds)
            peaks.append(peak)
        finally:
            drop_database(admin, name)
    print(f"ingest output: {output.splitlines()[0]}")
    print(f"read (parse, schema, map) {statistics.median(reads):6.2f} s   (median of {args.repeat})")
    print(
        f"gwh ingest            {statistics.median(ingests):6.2f} s   "
        f"(median of {args.repeat}: {', '.join(f'{s:.2f}' for s in ingests)})"
    )
    print(f"ingest peak memory    {max(peaks):6.0f} MiB")


if __name__ == "__main__":
    main()
