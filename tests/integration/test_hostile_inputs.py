"""Careless and hostile submitters: one broken file never stops the others, only regular files are read, nothing
printed leaks a password or breaks on markup, and a killed run leaves a true record."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pyarrow as pa
import pytest

from gender_warehouse import landing, pipeline, register
from gender_warehouse.cli import main
from gender_warehouse.errors import SubmissionError
from tests.conftest import query
from tests.helpers import gwh_process, headcount_rows, write_csv

pytestmark = pytest.mark.integration


def good_file(folder: Path, name: str = "hr_headcount.csv", women: int = 47) -> Path:
    return write_csv(folder / name, headcount_rows(women=women))


# --- one broken file never stops the others -----------------------------------------------------------------


def test_an_unexpected_error_fails_its_file_and_the_folder_goes_on(
    project: Path, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    folder = tmp_path / "landing"
    good_file(folder / "a", women=40)
    broken = good_file(folder / "b", "hr_headcount_broken.csv")
    good_file(folder / "c", women=45)
    real_read = pipeline.read_submission

    def reader_with_a_bug(path: Path, kind: str | None = None):  # type: ignore[no-untyped-def]
        if "broken" in path.name:
            raise pa.ArrowInvalid("Failed to parse string: '+5' as a scalar of type int32")
        return real_read(path, kind)

    monkeypatch.setattr(pipeline, "read_submission", reader_with_a_bug)
    code = main(["--database-url", database_url, "ingest", str(folder), "--no-docs"])
    out = capsys.readouterr()
    # Not a usage or setup error: the run went on, and said which file failed and why.
    assert code == 1
    assert out.out.count("accepted") == 2
    assert "failed" in out.err and broken.name in out.err and "ArrowInvalid" in out.err
    statuses = query(database_url, "select file_name, status, failure from audit.submissions order by 1, 2")
    # The two good files are one slice in two versions: the later one is current.
    assert [(name, status) for name, status, _ in statuses] == [
        ("hr_headcount.csv", "loaded"),
        ("hr_headcount.csv", "superseded"),
        ("hr_headcount_broken.csv", "failed"),
    ]
    assert "ArrowInvalid" in statuses[2][2]
    assert query(database_url, "select count(distinct submission_id) from raw.hr_headcount") == [(2,)]


# --- only regular files ----------------------------------------------------------------------------------------


@pytest.fixture
def links(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "links"
    folder.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    made = {
        "to a file": folder / "hr_headcount_passwd.csv",
        "to a device": folder / "hr_headcount_zero.csv",
        "to a folder": folder / "hr_headcount_folder",
    }
    made["to a file"].symlink_to(secret)
    made["to a device"].symlink_to("/dev/zero")
    made["to a folder"].symlink_to(tmp_path, target_is_directory=True)
    fifo = folder / "hr_headcount_pipe.csv"
    os.mkfifo(fifo)
    made["a pipe"] = fifo
    return made


@pytest.mark.parametrize("kind", ["to a file", "to a device", "a pipe"])
def test_links_devices_and_pipes_are_refused_before_they_are_opened(
    project: Path, database_url: str, links: dict[str, Path], kind: str
) -> None:
    with pytest.raises(SubmissionError, match="not a regular file"):
        pipeline.ingest_file(links[kind], database_url)
    with pytest.raises(SubmissionError, match="not a regular file"):
        pipeline.validate_file(links[kind], database_url)
    assert query(database_url, "select count(*) from audit.submissions") == [(0,)]
    assert not list(register.settings.archive_dir().rglob("*.csv"))


def test_the_cli_names_what_it_refuses_and_takes_the_rest(
    project: Path, database_url: str, links: dict[str, Path], tmp_path: Path
) -> None:
    folder = links["to a file"].parent
    good_file(folder)
    # A subprocess with a time limit: a pipe or /dev/zero that were opened would hang or never end.
    done = gwh_process(
        database_url, "ingest", str(folder), "--no-docs", timeout=120, env={"GWH_PROJECT_DIR": str(project)}
    )
    assert done.returncode == 1, done.stderr
    assert "accepted" in done.stdout
    for name in ("hr_headcount_passwd.csv", "hr_headcount_zero.csv", "hr_headcount_pipe.csv"):
        assert f"{name}: it is" in done.stderr
    assert "root:x:0" not in done.stdout + done.stderr
    assert query(database_url, "select file_name from audit.submissions") == [("hr_headcount.csv",)]


def test_the_landing_folder_takes_only_regular_files(
    project: Path, database_url: str, links: dict[str, Path], caplog: pytest.LogCaptureFixture
) -> None:
    folder = links["to a file"].parent
    good = good_file(folder / "real")
    good_file(links["to a folder"].resolve() / "outside")  # reachable only through the link to a folder
    assert landing.pending_files(database_url, folder) == [str(good)]
    assert "not a regular file" in caplog.text


# --- nothing printed leaks or breaks ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://warehouse:p%zzS3cretPw@127.0.0.1:5432/gwh",  # a bare % in the password
        "postgresql://warehouse:S3cretPw@[::1:5432/gwh",  # an IPv6 host with no closing bracket
        "postgresql://warehouse:S3cretPw@[::1]:1/gwh",  # IPv6, nothing listening
        "postgresql://warehouse:S3cretPw@/gwh?host=/nonexistent",  # a socket folder that is not there
        "postgresql://warehouse:S3cretPw@127.0.0.1:notaport/gwh",
        "host=127.0.0.1 port=1 user=warehouse password='S3cretPw'",
        "postgresql://warehouse@127.0.0.1:1/gwh?password=S3cretPw",
    ],
)
def test_no_password_in_any_message(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    for command in (["status"], ["db", "url"], ["db", "url", "--uri"], ["-v", "status"]):
        code = main(["--database-url", url, *command])
        out = capsys.readouterr()
        printed = out.out + out.err
        assert "S3cretPw" not in printed and "zzS3" not in printed, printed
        assert "Traceback" not in printed
        if command[-1] == "status":
            assert code == 2 and ("cannot connect" in printed or "malformed" in printed), printed


def test_verbose_prints_the_traceback_it_promises(
    project: Path, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from gender_warehouse import audit

    secret_url = database_url + " password=S3cretPw"

    def bug(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError(f"something broke near {secret_url}")

    monkeypatch.setattr(audit, "submissions", bug)
    assert main(["--database-url", secret_url, "status"]) == 2
    quiet = capsys.readouterr().err
    assert "internal error" in quiet and "-v" in quiet and "Traceback" not in quiet and "S3cretPw" not in quiet
    assert main(["--database-url", secret_url, "-v", "status"]) == 2
    loud = capsys.readouterr().err
    assert "Traceback (most recent call last)" in loud and "def bug" not in loud and "in bug" in loud
    assert "S3cretPw" not in loud


MARKUP = ["[/]", "[bold]loud[/bold]", ":x:", "[link=https://example.org]here[/link]"]


def test_markup_and_emoji_codes_from_files_print_as_written(
    project: Path, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    submitted_by = " ".join(MARKUP)
    path = good_file(tmp_path / "in", "hr_headcount_[b]x[/b]_:x:.csv")
    assert main(["--database-url", database_url, "ingest", str(path), "--submitted-by", submitted_by, "--no-docs"]) == 0
    out = capsys.readouterr().out
    assert "hr_headcount_[b]x[/b]_:x:.csv" in out
    [(sid,)] = query(database_url, "select submission_id from audit.submissions")
    for command in (["audit", str(sid)], ["status"], ["audit", "--figure", "[/]mart", "a=[/]"], ["audit", "[/]"]):
        code = main(["--database-url", database_url, *command])
        out = capsys.readouterr()
        assert code in (0, 1), out.err  # 2 would be a crash (rich's MarkupError) or a usage error
        assert "internal error" not in out.err
    assert main(["--database-url", database_url, "audit", str(sid)]) == 0
    printed = " ".join(capsys.readouterr().out.split())  # tables may wrap long cells
    for text in MARKUP:
        assert text in printed, printed
    assert "❌" not in printed


def test_terminal_control_and_newlines_from_files_are_shown_not_obeyed(
    project: Path,
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An escape sequence in a file name or a stored value would clear the auditor's screen or retitle the
    terminal; a newline in a name would forge a line of the ingest log."""
    path = good_file(tmp_path / "in", "hr_headcount_\x1b[2J\x1b]0;owned\x07.csv")
    submitted_by = "clerk\x1b[31m\x9b2J"
    assert main(["--database-url", database_url, "ingest", str(path), "--submitted-by", submitted_by, "--no-docs"]) == 0
    [(sid,)] = query(database_url, "select submission_id from audit.submissions")
    for command in (["audit", str(sid)], ["status"]):
        assert main(["--database-url", database_url, *command]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    assert "\\x1b[2J" in "".join(out.split())
    # A link with a newline in its name: the warning about it stays one line.
    folder = tmp_path / "landing"
    folder.mkdir()
    (folder / "hr_headcount\nINFO all files loaded.csv").symlink_to(path)
    with caplog.at_level("WARNING", logger="gender_warehouse.landing"):
        landing.pending_files(database_url, folder)
    [record] = [r for r in caplog.records if "not a regular file" in r.getMessage()]
    assert "\n" not in record.getMessage() and "\\nINFO all files loaded.csv" in record.getMessage()


# --- a killed run leaves a true record -------------------------------------------------------------------------


@pytest.mark.slow
def test_gwh_docs_writes_the_result_files_a_committed_load_left_unwritten(
    project: Path, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = good_file(tmp_path)
    assert main(["--database-url", database_url, "ingest", str(path), "--no-docs"]) == 0
    [stored] = list((project / "reports" / "validations").rglob("*.json"))
    kept = stored.read_text()
    stored.unlink()  # the process stopped between the commit and writing the file
    stray = stored.with_name("hr_headcount-999.json")  # a run that never committed, before this was fixed
    stray.write_text(kept)
    assert main(["--database-url", database_url, "docs"]) == 0
    out = capsys.readouterr().out
    assert stored.exists() and "wrote 1 result file(s)" in out
    import json

    assert json.loads(stored.read_text()) == json.loads(kept)
    assert "not recorded in the audit trail" in out and stray.name in out and stray.exists()
    assert main(["--database-url", database_url, "docs", "--clean"]) == 0
    assert not stray.exists() and stored.exists()


def test_reading_folders_a_killed_run_left_are_removed_by_the_next_ingest(project: Path, tmp_path: Path) -> None:
    staging = register.settings.archive_dir() / ".reading"
    stale, fresh = staging / "tmp_killed_yesterday", staging / "tmp_running_now"
    for folder in (stale, fresh):
        folder.mkdir(parents=True)
        (folder / "hr_headcount.csv").write_text("a copy across file systems\n")
    day_old = time.time() - register.STALE_SECONDS - 60
    os.utime(stale, (day_old, day_old))
    taken = register.take(good_file(tmp_path))
    with register.readable_copy(taken, "hr_headcount.csv") as copy:
        assert copy.read_bytes() == taken.archived.read_bytes()
    assert not stale.exists() and fresh.exists()  # another run may be reading that one
