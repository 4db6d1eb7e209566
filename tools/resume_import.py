"""Turn an uploaded resume (this project's format or JSON Resume) into a checked `Resume`.

One path for `resume-agent import-resume` and `PUT /api/resume`: parse, convert JSON Resume,
validate the schema, then run the import checks. Every problem names its field; errors raise
`ResumeImportError`, warnings come back with the resume.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from pydantic import ValidationError

from tools import jsonresume
from tools.resume_checks import Problem, check_resume
from tools.resume_model import Resume

Format = Literal["resume-agent", "json-resume"]


class ResumeImportError(ValueError):
    def __init__(self, problems: list[Problem], fmt: Format) -> None:
        self.problems = problems
        self.format = fmt
        super().__init__("; ".join(str(p) for p in problems))


@dataclass(frozen=True)
class Imported:
    resume: Resume
    format: Format
    warnings: list[Problem] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # JSON Resume sections with no place here


def _schema_problems(exc: ValidationError) -> list[Problem]:
    out = []
    for err in exc.errors():
        path = ".".join(str(p) for p in err["loc"]) or "(top level)"
        out.append(Problem(path, str(err["msg"]), "error"))
    return out


def import_resume(data: Any, today: date | None = None) -> Imported:
    fmt: Format = "resume-agent"
    dropped: list[str] = []
    if jsonresume.is_json_resume(data):
        fmt = "json-resume"
        converted = jsonresume.convert(data)
        data, dropped = converted.data, converted.dropped
    if not isinstance(data, dict):
        raise ResumeImportError([Problem("(top level)", "a resume must be a JSON object", "error")], fmt)
    try:
        resume = Resume.model_validate(data)
    except ValidationError as exc:
        raise ResumeImportError(_schema_problems(exc), fmt) from exc
    problems = check_resume(resume, today or date.today(), raw=data)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ResumeImportError(errors, fmt)
    warnings = [p for p in problems if p.severity == "warning"]
    warnings += [Problem(k, "not imported: this format has no place for it", "warning") for k in dropped]
    return Imported(resume, fmt, warnings, dropped)
