"""Small builders for test files, and the command line run as a process of its own."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

from gender_warehouse.contracts import HR_HEADCOUNT

HEADCOUNT_HEADER = list(HR_HEADCOUNT.column_names)


def headcount_rows(entity: str = "IAEA", date: str = "2024-12-31", women: int = 47, men: int = 53) -> list[list[str]]:
    return [
        [date, entity, "PROFESSIONAL_AND_HIGHER", "P-4", "F", "HQ", "AUT", "FIXED_TERM", str(women)],
        [date, entity, "PROFESSIONAL_AND_HIGHER", "P-4", "M", "HQ", "AUT", "FIXED_TERM", str(men)],
        [date, entity, "GENERAL_SERVICE", "G-5", "F", "HQ", "AUT", "PERMANENT", "30"],
        [date, entity, "GENERAL_SERVICE", "G-5", "U", "NON_HQ", "", "TEMPORARY", "2"],
    ]


def write_csv(path: Path, rows: list[list[str]], header: list[str] | None = None, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding=encoding) as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header or HEADCOUNT_HEADER)
        writer.writerows(rows)
    return path


def write_xlsx(
    path: Path, rows: list[list[object]], header: list[str] | None = None, sheet: str = "hr_headcount"
) -> Path:
    """A workbook with one sheet: the header (the headcount contract's by default), then the rows."""
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.title = sheet
    for row in [header or HEADCOUNT_HEADER, *rows]:
        workbook.active.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def gwh_process(
    database_url: str, *args: str, timeout: float, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """`gwh --database-url URL ARGS...` as a fresh process (its own logging, its own imports), with a time limit."""
    return subprocess.run(
        [sys.executable, "-m", "gender_warehouse.cli", "--database-url", database_url, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def logged_in_screenshot(url: str, cookie: tuple[str, str], shot: Path, wait_for_text: str, timeout: float = 60) -> str:
    """Open `url` in headless Chromium with a session cookie set (as a browser that logged in holds it), wait until
    the page shows `wait_for_text`, keep a screenshot in `shot` and return the page's text. Through the DevTools
    protocol: Chromium's command line cannot set a cookie."""
    import asyncio
    import base64
    import json
    import shutil
    import tempfile
    import time
    import urllib.request

    import websockets

    chromium = shutil.which("chromium")
    assert chromium, "the browser tests need Debian's chromium (make test installs it)"
    port = free_port()
    profile = tempfile.mkdtemp(prefix="gwh-chromium-")
    browser = subprocess.Popen(
        [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", f"--remote-debugging-port={port}",
         f"--user-data-dir={profile}", "--window-size=1400,900", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as found:
                    pages = [p for p in json.load(found) if p["type"] == "page"]
                if pages:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "headless Chromium did not start"
            time.sleep(0.3)

        async def drive() -> str:
            async with websockets.connect(pages[0]["webSocketDebuggerUrl"], max_size=2**26) as ws:
                counter = 0

                async def call(method: str, **params: object) -> dict:
                    nonlocal counter
                    counter += 1
                    await ws.send(json.dumps({"id": counter, "method": method, "params": params}))
                    while True:
                        reply = json.loads(await ws.recv())
                        if reply.get("id") == counter:
                            assert "error" not in reply, reply
                            return reply["result"]

                name, value = cookie
                await call("Network.enable")
                await call("Network.setCookie", name=name, value=value, url=url)
                await call("Page.navigate", url=url)
                text = ""
                end = time.monotonic() + timeout
                while wait_for_text not in text and time.monotonic() < end:
                    await asyncio.sleep(1)
                    found = await call("Runtime.evaluate", expression="document.body ? document.body.innerText : ''")
                    text = found["result"].get("value", "")
                await asyncio.sleep(2)  # the rest of the page, drawn after its first words
                picture = await call("Page.captureScreenshot", format="png")
                shot.parent.mkdir(parents=True, exist_ok=True)
                shot.write_bytes(base64.b64decode(picture["data"]))
                return text

        return asyncio.run(drive())
    finally:
        browser.terminate()
        browser.wait(timeout=30)
        shutil.rmtree(profile, ignore_errors=True)
