"""The report printed to PDF by a real, headless Chromium, as a person prints it for their
physiotherapist: the numbers are on the page, a note with markup is text, and the page fetches
nothing."""

from __future__ import annotations

import subprocess
import unicodedata
from datetime import timedelta
from pathlib import Path

import pytest

from spasmtimer.base.locations import history_file
from spasmtimer.cli import main
from spasmtimer.history.store import History
from tests.browser_support import CHROMIUM, FLAGS
from tests.history_support import Past, local_time, record
from tests.unit.test_course import MONDAY, course_of, utc

pytestmark = [
    pytest.mark.system,
    pytest.mark.skipif(
        CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install chromium)"
    ),
]

NOTE = "<script>alert('x')</script> & <b>stiff</b> after sitting"


def test_the_report_prints_to_pdf_with_its_numbers_and_notes_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pypdf = pytest.importorskip("pypdf")
    course_of()
    monkeypatch.setattr(
        "spasmtimer.base.clocks.utc_now", lambda: utc(MONDAY + timedelta(weeks=2), 9)
    )
    with local_time("UTC"):
        history = History.open(history_file())
        record(
            history,
            Past("gentle-mobility", 0, utc(MONDAY, 8), 6, 4, NOTE, 359, 359, marks=(1,)),
            Past("gentle-mobility", 1, utc(MONDAY, 18), 5, 3, None, 359, 359),
            Past("core-support", 0, utc(MONDAY + timedelta(days=2), 12), 3, 3, None, 253, 253),
        )
        history.close()
        assert main(["report", "--html", "--since", "2026-12-07", "--until", "2026-12-13"]) == 0
    page = tmp_path / "report.html"
    page.write_text(capsys.readouterr().out)
    pdf = tmp_path / "report.pdf"
    printed = subprocess.run(
        [
            str(CHROMIUM),
            *FLAGS,
            # Any request the page made would fail: the PDF holds only what the page carries.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
    )
    assert printed.returncode == 0, printed.stderr.decode(errors="replace")[-2000:]
    document = pypdf.PdfReader(pdf)
    # NFKC: the PDF's font joins "ff" into one ligature.
    text = unicodedata.normalize(
        "NFKC", " ".join(" ".join((p.extract_text() or "").split()) for p in document.pages)
    )
    assert NOTE in text  # the note as typed: its markup shown, never run or drawn
    assert "Back care, weeks 1-4" in text
    assert "2 of 14" in text and "1 of 3" in text  # the week's kept, of prescribed
    assert "Pelvic tilt" in text  # the step marked as hurting, by name
    assert len(document.pages) <= 2
