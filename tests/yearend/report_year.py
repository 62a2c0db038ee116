"""The school year the report tests build and read back: the article's three projects, one
tutoring activity with a photo and a verified city award (2024-2025), and how to read a workbook
or document built from it."""

from config.printable_sheets import HEADER_ROW
from members.models import Member
from tests.printable_sheets import assert_prints_on_a4, header_of
from yearend import report_services
from yearend.models import ReportJob
from yearend.tasks import build_report

YEAR = "2024-2025"
HELPING = "“帮扶暖心”党建微项目"
ACHIEVEMENT = "指导城口县美术教师获重庆市美术现场赛课一等奖"
# The summary's headings, each once and in this order, whatever the year holds.
SUMMARY_HEADINGS = [
    "一、总体情况",
    "二、“三型”党组织建设情况",
    "（一）“帮扶暖心”项目 塑造“服务型”组织",
    "（二）“学习+成长”项目 建设“学习型”组织",
    "（三）“校家社联合教育”项目 建设“创新型”组织",
    "三、党委集体荣誉",
    "四、存在的不足与下一步打算",
]


def sheet_rows(workbook, name: str) -> list[tuple]:
    """A sheet's header and data rows (without 序号), once its print layout is checked."""
    sheet = workbook[name]
    if name == "考核" and sheet.cell(row=HEADER_ROW + 1, column=1).value == "本学年的年度考核结果尚未公布。":
        return [header_of(sheet)]
    heading = f"重庆市渝中区大坪小学校 {YEAR} 学年党建微项目"
    assert sheet["A1"].value.startswith(heading)
    return [header_of(sheet), *assert_prints_on_a4(sheet, heading=sheet["A1"].value)]


def build_as_a_worker_would(job: ReportJob) -> str:
    """Run the job's task here. In the embedded run (eager Celery) the commit already built it, so
    this also shows a second run changes nothing; with REDIS_URL the task only went to the broker."""
    return build_report.apply(args=[job.pk]).get()


def request_report(actor, kind: str, capture) -> ReportJob:
    with capture(execute=True):
        job = report_services.report_request(
            actor=actor, committee=Member.objects.get(user=actor).committee, kind=kind, school_year=YEAR
        )
    build_as_a_worker_would(job)
    job.refresh_from_db()
    return job


def document_texts(document) -> list[str]:
    """Every paragraph's text, those inside tables (the photo grid, the indicator tables) included."""
    texts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        texts.extend(paragraph.text for row in table.rows for cell in row.cells for paragraph in cell.paragraphs)
    return texts
