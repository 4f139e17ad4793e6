"""The province report: the year's (or a period's) ratings as a page, CSV and XLSX."""
from __future__ import annotations

from flask import (
    Response,
    render_template,
    request,
)
from flask_babel import gettext as _

from ..models.base import localized
from ..ocop.rules import today_vn
from ..permissions import Perm, requires
from .charts import Bar, bar_chart
from .views import bp


def _report_period():
    """?year=2026 (default: this year), or ?start=…&end=… (ISO dates)."""
    from datetime import date

    from flask import abort

    today = today_vn()
    try:
        if request.args.get("start") or request.args.get("end"):
            start = date.fromisoformat(request.args["start"])
            end = date.fromisoformat(request.args["end"])
        else:
            year = int(request.args.get("year", today.year))
            start, end = date(year, 1, 1), date(year, 12, 31)
    except (KeyError, ValueError, OverflowError):
        abort(400, description=_("Kỳ báo cáo không hợp lệ: dùng năm (2026) hoặc ngày "
                                 "bắt đầu và kết thúc dạng 2026-01-31."))
    if end < start or start.year < 2000 or end.year > today.year + 1:
        abort(400, description=_("Kỳ báo cáo không hợp lệ: ngày kết thúc phải sau ngày bắt "
                                 "đầu, trong khoảng 2000 đến năm sau."))
    return start, end


@bp.route("/report")
@requires(Perm.OFFICE_VIEW)
def province_report():
    from . import report as province

    start, end = _report_period()
    data = province.build(start, end)
    charts = {s.key: bar_chart([Bar(str(r[0]), r[-1]) for r in s.rows],
                               title=localized(s.title))
              for s in data.sections if s.key != "commune"}
    return render_template("office/report.html", report=data, charts=charts,
                           year=start.year if (start.month, start.day, end.month, end.day)
                           == (1, 1, 12, 31) and start.year == end.year else None)


@bp.route("/report.<fmt>")
@requires(Perm.OFFICE_VIEW)
def province_report_file(fmt: str):
    from flask import abort

    from . import report as province

    if fmt not in ("csv", "xlsx"):
        abort(404)
    start, end = _report_period()
    data = province.build(start, end)
    name = f"bao-cao-ocop-{start.isoformat()}-{end.isoformat()}.{fmt}"
    if fmt == "xlsx":
        response = Response(province.xlsx_bytes(data), mimetype=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    else:
        excel_vi = request.args.get("excel") == "vi"
        response = Response(province.csv_text(data, excel_vi=excel_vi),
                            mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
