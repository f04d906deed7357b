"""Write the IATI codelist seeds from IATI's own codelist files: xml/TransactionType.xml of
github.com/IATI/IATI-Codelists (branch version-2.03), keeping the columns the warehouse adds to each code (which
way the money goes and the stage of funding it is) from the seed as it stands; and, from xml/Country.xml of
github.com/IATI/IATI-Codelists-NonEmbedded, the territories IATI lists that ISO 3166 has no code for (XK Kosovo),
and from its xml/Region.xml the regions of IATI's Region codelist (vocabulary 1, the OECD DAC regions).

    python scripts/iati_codelists.py [PATH/TO/IATI-Codelists --commit SHA]
        [--countries PATH/TO/IATI-Codelists-NonEmbedded --countries-commit SHA]

The codes and IATI's English names come from the file; a code IATI adds needs its direction and stage written in
the seed (the script says which); a code IATI withdraws is dropped.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from lxml import etree

SEEDS = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds"
TRANSACTION_TYPES = SEEDS / "ref_iati_transaction_types.csv"
TERRITORIES = SEEDS / "ref_iati_territories.csv"
REGIONS = SEEDS / "ref_iati_regions.csv"
COLUMNS = ["transaction_type", "transaction_type_name", "direction", "funding_stage", "codelist_source"]


def codelist(path: Path) -> list[tuple[str, str]]:
    """(code, English name) of each item of an IATI codelist file, withdrawn items left out."""
    tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    items = []
    for item in tree.iter("codelist-item"):
        if item.get("status") == "withdrawn":
            continue
        names = [
            n.text or ""
            for n in item.iterfind("name/narrative")
            if n.get("{http://www.w3.org/XML/1998/namespace}lang") in (None, "en")
        ]
        items.append((item.findtext("code").strip(), names[0].strip()))
    return items


def write_territories(path: Path, source: str) -> None:
    """IATI's countries that ISO 3166 (pycountry's copy, as ref_countries) has no code for, under IATI's code."""
    import pycountry

    rows = [
        {
            "country_code": code,
            "country_name": name.title() if name.isupper() else name,
            "codelist_source": f"{source}: xml/Country.xml",
        }
        for code, name in codelist(path)
        if pycountry.countries.get(alpha_2=code) is None
    ]
    with TERRITORIES.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["country_code", "country_name", "codelist_source"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {TERRITORIES} ({len(rows)} territories)")


def write_regions(path: Path, source: str) -> None:
    """IATI's Region codelist (vocabulary 1): the OECD DAC regions recipient-region names."""
    rows = [
        {"region_code": code, "region_name": name, "codelist_source": f"{source}: xml/Region.xml"}
        for code, name in codelist(path)
    ]
    with REGIONS.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["region_code", "region_name", "codelist_source"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {REGIONS} ({len(rows)} regions)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("codelists", type=Path, nargs="?", help="a checkout of IATI/IATI-Codelists at version-2.03")
    parser.add_argument("--commit", default="version-2.03", help="the commit or branch the files are from")
    parser.add_argument("--countries", type=Path, help="a checkout of IATI/IATI-Codelists-NonEmbedded")
    parser.add_argument("--countries-commit", default="master", help="its commit or branch")
    args = parser.parse_args()
    if args.countries:
        source = f"IATI-Codelists-NonEmbedded {args.countries_commit}"
        write_territories(args.countries / "xml" / "Country.xml", source)
        write_regions(args.countries / "xml" / "Region.xml", source)
    if args.codelists is None:
        return 0
    with TRANSACTION_TYPES.open(newline="", encoding="utf-8") as f:
        ours = {row["transaction_type"]: row for row in csv.DictReader(f)}
    source = f"IATI-Codelists {args.commit}: xml/TransactionType.xml"
    rows, missing = [], []
    for code, name in codelist(args.codelists / "xml" / "TransactionType.xml"):
        mine = ours.get(code, {})
        if not mine.get("direction") or not mine.get("funding_stage"):
            missing.append(code)
        rows.append(
            {
                "transaction_type": code,
                "transaction_type_name": name,
                "direction": mine.get("direction", ""),
                "funding_stage": mine.get("funding_stage", ""),
                "codelist_source": source,
            }
        )
    with TRANSACTION_TYPES.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {TRANSACTION_TYPES} ({len(rows)} types)")
    if missing:
        print(f"write the direction and funding_stage of type(s) {', '.join(missing)} in the seed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
