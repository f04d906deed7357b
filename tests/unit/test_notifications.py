"""Who is told and what the messages say (gender_warehouse.notifications): the contacts file, a file's entity,
and messages that show the file's values as text, never as markup."""

from __future__ import annotations

from pathlib import Path

import pytest

from gender_warehouse import notifications
from gender_warehouse.notifications import Contacts, ContactsError, file_message, load_contacts, run_message

HEADER = "role,entity_code,email\n"


def contacts_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "contacts.csv"
    path.write_text(HEADER + text)
    return path


def test_the_contacts_file_names_focal_points_by_entity_and_the_coordination_office(tmp_path: Path) -> None:
    found = load_contacts(
        contacts_file(
            tmp_path,
            "focal_point,wipo,a@wipo.example\nfocal_point,WIPO,b@wipo.example\ncoordination,,c@un.example\n",
        )
    )
    assert found == Contacts({"WIPO": ("a@wipo.example", "b@wipo.example")}, ("c@un.example",))
    assert found.for_file("hr_headcount_WIPO_2024.csv") == ("a@wipo.example", "b@wipo.example")
    # A file of no entity with a focal point goes to the coordination office, not nowhere.
    assert found.for_file("hr_headcount_UNODC.csv") == ("c@un.example",)
    assert found.for_file("headcount.csv") == ("c@un.example",)


def test_no_contacts_file_tells_nobody(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GWH_CONTACTS_FILE", raising=False)
    assert load_contacts().for_file("hr_headcount_WIPO.csv") == ()


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("manager,WIPO,a@wipo.example", "line 2: role 'manager' is not one of focal_point, coordination"),
        ("focal_point,WIPO,not an address", "line 2: 'not an address' is not an e-mail address"),
        ("focal_point,WIPO,a@b.example\nbcc: x@evil.example", "line 3: role 'bcc: x@evil.example'"),
        ("focal_point,NOPE,a@b.example", "line 2: 'NOPE' is not an entity code"),
        ("focal_point,WIPO,a@b.example,c@d.example", "line 2"),
    ],
)
def test_a_contacts_file_with_a_mistake_says_which_line(tmp_path: Path, line: str, says: str) -> None:
    with pytest.raises(ContactsError, match=says.replace("(", r"\(")):
        load_contacts(contacts_file(tmp_path, line + "\n"))


def test_a_file_s_entities_are_the_words_of_its_name() -> None:
    assert notifications.entities_of_file("hr_headcount_UN-WOMEN_2024.csv") == ["UN-WOMEN"]
    assert notifications.entities_of_file("hr_submission_UNICEF_2024.xlsx") == ["UNICEF"]
    assert notifications.entities_of_file("malawi_peacebuilding_UN-WOMEN.xml") == ["UN-WOMEN"]
    assert notifications.entities_of_file("UNDP-like_file.csv") == []


def test_the_messages_show_the_file_s_values_as_text() -> None:
    summary = {
        "path": "/landing/hr_headcount_WIPO_<img src=x onerror=alert(1)>\n.csv",
        "status": "rejected",
        "submission_id": 7,
        "errors": ["sex must be F, M, X (other) or U (unknown) (found '<script>alert(1)</script>')"] * 12,
        "error_count": 12,
        "rows": {},
    }
    subject, body = file_message(summary, "https://reports.example/")
    assert "\n" not in subject and "rejected (submission 7)" in subject
    assert "<script>" not in body and "<img" not in body and "&lt;script&gt;" in body
    assert body.count("<li>") == notifications.SHOWN_REASONS and "2 more" in body
    assert '<a href="https://reports.example/submissions/submission-7.html">' in body
    subject, body = run_message([summary, {**summary, "status": "accepted", "rows": {"hr_headcount": 1200}}], "r1")
    assert "1 accepted, 1 rejected" in subject
    assert "<img" not in body and "hr_headcount: 1,200" in body
