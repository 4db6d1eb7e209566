"""JSON Resume (jsonresume.org schema v1) converted to this project's resume format.

Mapping: basics -> profile (label -> title, location city/region/country -> location, profiles ->
links by network, summary); work and volunteer -> experience (name -> company, position -> role,
volunteer as employment_type "volunteer"); projects -> projects (keywords -> technologies, type ->
kind, entity -> employer when it names a job); education (area + studyType -> degree, score and
courses -> details); certificates, awards (awarder and summary -> details), publications
(publisher -> venue, releaseDate -> date); skills (name -> category, keywords -> entries);
languages -> profile.languages_spoken; interests -> interests. Dates keep year and month. Ids are
made from the section and name. What has no place here (references, meta) is listed in `dropped`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tools.text import fold

_KNOWN = {
    "$schema", "basics", "work", "volunteer", "education", "awards", "certificates", "publications",
    "skills", "languages", "interests", "references", "projects", "meta",
}  # fmt: skip
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2}))?")


def is_json_resume(data: Any) -> bool:
    """JSON Resume has "basics" (and none of this format's own top-level keys)."""
    return isinstance(data, Mapping) and "basics" in data and "profile" not in data


@dataclass
class Converted:
    data: dict[str, Any]
    dropped: list[str] = field(default_factory=list)


def _date(value: Any) -> str | None:
    m = _DATE_RE.match(str(value or ""))
    if not m:
        return None
    return f"{m.group(1)}-{m.group(2)}" if m.group(2) and m.group(2) != "00" else m.group(1)


def _text(value: Any) -> str:
    return str(value).strip() if isinstance(value, str | int | float) else ""


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _strings(value: Any) -> list[str]:
    return [s for s in (_text(v) for v in _list(value)) if s]


class _Ids:
    def __init__(self) -> None:
        self.used: set[str] = set()

    def make(self, prefix: str, name: str) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")[:40] or "item"
        ident, n = f"{prefix}-{slug}", 2
        while ident in self.used:
            ident, n = f"{prefix}-{slug}-{n}", n + 1
        self.used.add(ident)
        return ident


def convert(src: Mapping[str, Any]) -> Converted:
    ids = _Ids()
    out = Converted({})
    out.dropped = [k for k in src if k not in _KNOWN] + [k for k in ("references", "meta") if src.get(k)]
    b: Mapping[str, Any] = src["basics"] if isinstance(src.get("basics"), Mapping) else {}
    loc: Mapping[str, Any] = b["location"] if isinstance(b.get("location"), Mapping) else {}
    place = ", ".join(x for x in (_text(loc.get(k)) for k in ("city", "region", "countryCode")) if x)
    links: dict[str, str] = {}
    if _text(b.get("url")):
        links["website"] = _text(b["url"])
    for prof in _list(b.get("profiles")):
        if isinstance(prof, Mapping) and _text(prof.get("url")):
            links[re.sub(r"[^a-z0-9]", "", fold(_text(prof.get("network")) or "link")) or "link"] = prof[
                "url"
            ]
    profile: dict[str, Any] = {
        "name": _text(b.get("name")),
        "title": _text(b.get("label")),
        "summary": _text(b.get("summary")),
        "links": links,
    }
    for key, value in (
        ("location", place),
        ("email", _text(b.get("email"))),
        ("phone", _text(b.get("phone"))),
    ):
        if value:
            profile[key] = value
    spoken = []
    for lang in _list(src.get("languages")):
        if isinstance(lang, Mapping) and _text(lang.get("language")):
            fl = _text(lang.get("fluency"))
            spoken.append(f"{_text(lang['language'])} ({fl.lower()})" if fl else _text(lang["language"]))
    if spoken:
        profile["languages_spoken"] = spoken
    data = out.data
    data["profile"] = profile
    jobs: dict[str, str] = {}
    experience = []
    for section, kind in (("work", None), ("volunteer", "volunteer")):
        for w in _list(src.get(section)):
            if not isinstance(w, Mapping):
                continue
            company = _text(w.get("name")) or _text(w.get("organization")) or _text(w.get("company"))
            job: dict[str, Any] = {
                "id": ids.make("exp", company or "job"),
                "company": company,
                "role": _text(w.get("position")),
                "start": _date(w.get("startDate")),
                "end": _date(w.get("endDate")),
                "summary": _text(w.get("summary")) or _text(w.get("description")),
                "highlights": _strings(w.get("highlights")),
            }
            if _text(w.get("location")):
                job["location"] = _text(w["location"])
            if kind:
                job["employment_type"] = kind
            jobs.setdefault(fold(company), job["id"])
            experience.append(job)
    data["experience"] = experience
    projects = []
    for p in _list(src.get("projects")):
        if not isinstance(p, Mapping):
            continue
        name = _text(p.get("name"))
        proj: dict[str, Any] = {
            "id": ids.make("proj", name or "project"),
            "name": name,
            "kind": fold(_text(p.get("type"))) or "work",
            "start": _date(p.get("startDate")),
            "end": _date(p.get("endDate")),
            "employer": jobs.get(fold(_text(p.get("entity")))) if _text(p.get("entity")) else None,
            "description": _text(p.get("description")),
            "highlights": _strings(p.get("highlights")),
            "technologies": _strings(p.get("keywords")),
            "url": _text(p.get("url")) or None,
        }
        projects.append(proj)
    data["projects"] = projects
    education = []
    for e in _list(src.get("education")):
        if not isinstance(e, Mapping):
            continue
        degree = " in ".join(x for x in (_text(e.get("studyType")), _text(e.get("area"))) if x)
        details = [f"Score: {_text(e['score'])}." if _text(e.get("score")) else ""]
        if _strings(e.get("courses")):
            details.append("Courses: " + ", ".join(_strings(e.get("courses"))) + ".")
        education.append(
            {
                "id": ids.make("edu", _text(e.get("institution")) or "school"),
                "institution": _text(e.get("institution")),
                "degree": degree,
                "start": _date(e.get("startDate")),
                "end": _date(e.get("endDate")),
                "details": " ".join(d for d in details if d),
            }
        )
    data["education"] = education
    data["certifications"] = [
        {"id": ids.make("cert", _text(c.get("name")) or "cert"), "name": _text(c.get("name")),
         "issuer": _text(c.get("issuer")) or None, "date": _date(c.get("date"))}
        for c in _list(src.get("certificates")) if isinstance(c, Mapping)
    ]  # fmt: skip
    data["awards"] = [
        {"id": ids.make("award", _text(a.get("title")) or "award"), "name": _text(a.get("title")),
         "date": _date(a.get("date")),
         "details": " ".join(x for x in (f"From {_text(a['awarder'])}." if _text(a.get("awarder")) else "",
                                         _text(a.get("summary"))) if x)}
        for a in _list(src.get("awards")) if isinstance(a, Mapping)
    ]  # fmt: skip
    data["publications"] = [
        {"id": ids.make("pub", _text(p.get("name")) or "paper"), "title": _text(p.get("name")),
         "venue": _text(p.get("publisher")) or None, "date": _date(p.get("releaseDate")),
         "url": _text(p.get("url")) or None}
        for p in _list(src.get("publications")) if isinstance(p, Mapping)
    ]  # fmt: skip
    skills: dict[str, list[str]] = {}
    for s in _list(src.get("skills")):
        if isinstance(s, Mapping) and _text(s.get("name")):
            skills[_text(s["name"])] = _strings(s.get("keywords")) or [_text(s["name"])]
    data["skills"] = skills
    data["interests"] = [
        _text(i.get("name"))
        for i in _list(src.get("interests"))
        if isinstance(i, Mapping) and _text(i.get("name"))
    ]
    # Sections the source did not fill are left out rather than sent on empty.
    for key in [k for k, v in data.items() if k != "profile" and not v]:
        del data[key]
    return out
