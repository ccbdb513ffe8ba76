"""What a publication run reports, line by line, for the operator (CLI) and the scheduler's log.

Each line is a Phrase: its str() is the Chinese text (the scheduler's log, tests), and
text(gettext) the same line in a reader's language, its template from the catalogue with the
parameters filled in; its code (published, corrected, finalised, held, failed, held_subject,
more_held) is what the metrics count.
"""

from starqr.errors import N_, StarQRError
from starqr.models import MEMBER
from starqr.phrases import Phrase
from starqr.services import rating_holds

# A report line is a Phrase (starqr.phrases): str() the Chinese text, text(gettext) translated.
ReportLine = Phrase
INDENTED = ("held_subject", "more_held")  # lines about one subject of the period above them


class _HoldReason(str):
    """Why a subject is held (rating_holds' code and parameters), translated with its line."""

    def __new__(cls, code, params):
        reason = super().__new__(cls, rating_holds.describe((code, params)))
        reason.hold = (code, params)
        return reason

    def text(self, gettext):
        return rating_holds.describe(self.hold, gettext)

    def __reduce__(self):
        return _HoldReason, self.hold


class DueReport(list):
    """publish_due's (period name, ReportLine) lines, and how many periods moved on (done) or failed."""

    done = 0
    failed = 0


def published(written, until, held=0):
    if held:
        return ReportLine(
            "published",
            N_("已发布 %(count)s 个评定结果;公示至 %(until)s;%(held)s 个暂缓评定"),
            count=written,
            until=until,
            held=held,
        )
    return ReportLine("published", N_("已发布 %(count)s 个评定结果;公示至 %(until)s"), count=written, until=until)


def corrected(written):
    """A period already published: the corrections frozen since."""
    return ReportLine("corrected", N_("已公布;另发布了 %(count)s 个更正的评定结果"), count=written)


def failed(error):
    """A period that could not be published: the error's type and what it says (translated if ours)."""
    reason = error if isinstance(error, StarQRError) else str(error)[:200]
    return ReportLine("failed", N_("未发布:%(error)s:%(reason)s"), error=type(error).__name__, reason=reason)


def objections_open(count):
    return ReportLine("held", N_("公示延续:%(count)s 条异议待处理"), count=count)


def finalised():
    return ReportLine("finalised", N_("公示结束,已定级"))


def held_lines(period, held, limit=20):
    """(period name, line) per held subject, for the scheduler log and the CLI."""
    lines = [
        (
            period.name,
            ReportLine(
                "held_subject",
                N_("暂缓评定党员 %(id)s %(name)s:%(reason)s")
                if h["subject_kind"] == MEMBER
                else N_("暂缓评定组织 %(id)s %(name)s:%(reason)s"),
                id=h["subject_id"],
                name=h["name"],
                reason=_HoldReason(h["code"], h["params"]),
            ),
        )
        for h in rating_holds.listed(period, limit=limit)
    ]
    if len(held) > limit:
        lines.append(
            (
                period.name,
                ReportLine("more_held", N_("……另有 %(count)s 个暂缓评定"), count=len(held) - limit),
            )
        )
    return lines
