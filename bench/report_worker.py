"""Child process of the reports benchmark: build committees' year workbooks, print one JSON line.

    python bench/report_worker.py --school-year 2025-2026 --committee 3 [--committee 4 ...]

Each workbook goes through the report task's own code: `report_services.report_context` on an
unsaved `ReportJob` asked by the committee's secretary (so nothing is left in the database),
then `reports.write_workbook` into a temporary file. The process runs alone so that its peak
RSS (``VmHWM``) is the workbook's; the baseline is taken after Django and the report code
are loaded, so the difference is what building the workbooks cost. Rows are counted in the
files written (``<row`` elements of every sheet, less each sheet's header), not in our code.

The environment (DATABASE_URL, ...) is the parent's. Query logging is turned off as in a
production worker (DEBUG off), so the DEBUG default of the embedded run does not add memory.
"""

import argparse
import json
import os
import re
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

SHEET_NAME = re.compile(r"xl/worksheets/sheet\d+\.xml")


def peak_rss_mb() -> float:
    """This process's peak resident memory since it started its own program.

    ``VmHWM`` where Linux has it: ``ru_maxrss`` survives exec, so a child of a large parent
    (bench/run.py holds ~600 MB after generating the district) would report the parent's size.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)  # kB
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


HEADER_ROW = 3  # config.printable_sheets.HEADER_ROW: Django is not set up when this module loads


def data_rows(path: str) -> int:
    """Rows of every sheet of the .xlsx at ``path`` but the title, note and header rows above the
    data (`config.printable_sheets.HEADER_ROW`), read as a stream."""
    rows = 0
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if not SHEET_NAME.fullmatch(name):
                continue
            sheet_rows, tail = 0, b""
            with archive.open(name) as sheet:
                while chunk := sheet.read(1 << 16):
                    # The last 4 bytes carried over are shorter than the tag: a tag cut in two
                    # between chunks is counted once, none twice.
                    text = tail + chunk
                    sheet_rows += text.count(b"<row ")
                    tail = text[-4:]
            rows += max(sheet_rows - HEADER_ROW, 0)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--committee", type=int, action="append", required=True, help="committee id (repeatable)")
    parser.add_argument("--school-year", required=True, help="e.g. 2025-2026")
    options = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import reset_queries

    from branches.models import Committee
    from members.enums import CommitteeRole
    from members.models import Member
    from yearend.annual_workbook import write_workbook
    from yearend.enums import ReportKind
    from yearend.models import ReportJob
    from yearend.report_services import report_context

    settings.DEBUG = False
    baseline = peak_rss_mb()

    rows = size = 0
    context_seconds = workbook_seconds = 0.0
    committees = []
    for committee in Committee.objects.filter(pk__in=options.committee).order_by("pk"):
        secretary = (
            Member.objects.filter(committee=committee, is_active=True, user__isnull=False)
            .filter(committee_role__in=(CommitteeRole.SECRETARY, CommitteeRole.MEMBER))
            .select_related("user")
            .order_by("-committee_role", "pk")  # "secretary" before "member"
            .first()
        )
        if secretary is None:
            raise SystemExit(f"committee {committee.pk} has no secretary or committee member with a login")
        job = ReportJob(
            committee=committee, kind=ReportKind.WORKBOOK, school_year=options.school_year, requested_by=secretary.user
        )
        started = time.perf_counter()
        context = report_context(job)
        built = time.perf_counter()
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as output:
            write_workbook(context, output)
            output.flush()
            workbook_seconds += time.perf_counter() - built
            context_seconds += built - started
            committee_rows = data_rows(output.name)
            size += os.path.getsize(output.name)
        rows += committee_rows
        committees.append({"committee": committee.pk, "rows": committee_rows})
        reset_queries()

    seconds = context_seconds + workbook_seconds
    print(
        json.dumps(
            {
                "school_year": options.school_year,
                "committees": committees,
                "rows": rows,
                "seconds": round(seconds, 3),
                "context_seconds": round(context_seconds, 3),
                "workbook_seconds": round(workbook_seconds, 3),
                "rows_per_s": round(rows / seconds, 1) if seconds else None,
                "bytes": size,
                "baseline_rss_mb": baseline,
                "peak_rss_mb": peak_rss_mb(),
            }
        )
    )


if __name__ == "__main__":
    main()
