"""Submission templates: an XLSX workbook generated from the contracts and their Great Expectations suites.

`gwh template hr|programme|<table> --out file.xlsx` writes an instructions sheet, one sheet per table with the
contract's header, and a drop-down on every column whose suite rule is a list of codes (sex, entity, grade,
country, currency, ...), taken from the suite itself, so that the template says what validation checks. The lists
live on a hidden sheet, as Excel limits a list typed into a rule to 255 characters.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gender_warehouse.contracts import KINDS, TABLES, ColumnType, Table, tables_of_kind

LISTS_SHEET = "lists"
EXAMPLE = {
    ColumnType.DATE: "2024-12-31",
    ColumnType.COUNT: "12",
    ColumnType.DECIMAL: "1250000.50",
    ColumnType.BOOLEAN: "TRUE or FALSE",
    ColumnType.CODE_LIST: "VNM;BGD;KHM",
}


def tables_of(kind: str) -> list[Table]:
    if kind in KINDS:
        return list(tables_of_kind(kind))
    if kind in TABLES:
        return [TABLES[kind]]
    raise KeyError(kind)


def code_lists(table: Table) -> dict[str, list[Any]]:
    """Each column's codes, from the suite's unconditional in-set rules (the contract the file is checked by)."""
    suite, _sha = _suite(table)
    out: dict[str, list[Any]] = {}
    for e in suite["expectations"]:
        k = e["kwargs"]
        if e["type"] == "expect_column_values_to_be_in_set" and "row_condition" not in k:
            out[k["column"]] = list(k["value_set"])
    return out


def rule_texts(table: Table) -> dict[str, list[str]]:
    """What each column's rules say, in the submitter's words (the expectations' descriptions)."""
    suite, _sha = _suite(table)
    out: dict[str, list[str]] = {}
    for e in suite["expectations"]:
        column = e["kwargs"].get("column")
        if column:
            text = e["meta"]["description"] + (" (warning)" if e.get("severity") == "warning" else "")
            out.setdefault(column, []).append(text)
    return out


def _suite(table: Table) -> tuple[dict[str, Any], str]:
    from gender_warehouse.validation import load_suite

    return load_suite(table)


def write_template(kind: str, out: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    tables = tables_of(kind)
    book = Workbook()
    info = book.active
    info.title = "Instructions"
    info.append([f"Gender Equality Warehouse: {kind} submission template"])
    info["A1"].font = Font(bold=True, size=13)
    info.append(
        [
            "Fill one sheet per table, one row per figure, from row 2. Keep the sheet names and the headers; "
            "leave a sheet out if you have nothing for it. Dates as YYYY-MM-DD (or Excel dates), numbers without "
            "thousands separators. Columns with a drop-down take only its codes. Send the workbook as it is "
            "(gwh validate file.xlsx shows what the warehouse will say)."
        ]
    )
    info["A2"].alignment = Alignment(wrap_text=True)
    info.append([])
    info.append(["sheet", "column", "required", "what to write", "rules"])
    for cell in info[4]:
        cell.font = Font(bold=True)
    lists = book.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    list_column = 0
    for table in tables:
        codes = code_lists(table)
        rules = rule_texts(table)
        sheet = book.create_sheet(table.name)
        sheet.append(list(table.column_names))
        sheet.freeze_panes = "A2"
        for index, column in enumerate(table.columns, start=1):
            letter = get_column_letter(index)
            sheet[f"{letter}1"].font = Font(bold=True)
            sheet.column_dimensions[letter].width = max(14, len(column.name) + 4)
            if column.type is ColumnType.DATE:
                for row in range(2, 1001):
                    sheet[f"{letter}{row}"].number_format = "yyyy-mm-dd"
            elif column.type.is_text:  # kept as typed: Excel would make the version 2.0 the number 2
                for row in range(2, 1001):
                    sheet[f"{letter}{row}"].number_format = "@"
            if column.name in codes:
                list_column += 1
                list_letter = get_column_letter(list_column)
                lists[f"{list_letter}1"] = f"{table.name}.{column.name}"
                for row, code in enumerate(codes[column.name], start=2):
                    lists[f"{list_letter}{row}"] = code
                last = len(codes[column.name]) + 1
                rule = DataValidation(
                    type="list",
                    formula1=f"={LISTS_SHEET}!${list_letter}$2:${list_letter}${last}",
                    allow_blank=not column.required,
                    showErrorMessage=True,
                    errorTitle=column.name,
                    error=f"{column.name}: choose a code from the list",
                )
                rule.add(f"{letter}2:{letter}1048576")
                sheet.add_data_validation(rule)
            what = column.description
            if column.type in EXAMPLE:
                what += f" Example: {EXAMPLE[column.type]}."
            info.append(
                [
                    table.name,
                    column.name,
                    "yes" if column.required else "no",
                    what,
                    "; ".join(dict.fromkeys(rules.get(column.name, []))),
                ]
            )
    for letter, width in zip("ABCDE", (24, 24, 9, 70, 90), strict=True):
        info.column_dimensions[letter].width = width
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out


def known_kinds() -> list[str]:
    return [*KINDS, *TABLES]
