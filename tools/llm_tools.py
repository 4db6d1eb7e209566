"""The resume engine's look-ups as LLM tools (OpenAI function-calling format).

`ResumeToolbox.call` never raises: a bad tool name or argument comes back as {"error": ...} so the
model can correct itself. Every result that mentions items carries their ids, which
`items_from_tool_result` collects for the caller (to show or log which items an answer used).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from importlib import resources
from typing import Any

from tools.dates import DateRange, end_month_of, month_of, spoken
from tools.engine import ResumeEngine
from tools.entities import EntityIndex
from tools.resume_model import Resume
from tools.retrieval import Retrieval
from tools.search import Entry, ResumeIndex
from tools.technology import TechIndex
from tools.text import Utterance, content_stems

ITEM_KINDS = ("experience", "project", "education", "certification", "award", "publication")
PROFILE_FIELDS = (
    "name", "pronouns", "title", "location", "email", "phone", "links", "summary", "availability",
    "work_authorization", "languages_spoken", "skills", "interests", "all",
)  # fmt: skip
_DATE_RE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")
_SEARCH_ARGS = ("technology", "company", "kind", "date_from", "date_to", "text")

TOOL_SCHEMAS: list[dict[str, Any]] = [
    {
        "type": "function",
        "function": {
            "name": "search_resume",
            "description": (
                "Find resume items (jobs, projects, education, certifications, awards, publications). "
                "All filters are optional and combine with AND. Returns item ids with short facts."
            ),
            "parameters": {
                "type": "object",
                "properties": {
                    "technology": {
                        "type": "string",
                        "description": "A technology or skill, aliases allowed (e.g. 'k8s', 'postgres').",
                    },
                    "company": {
                        "type": "string",
                        "description": "An employer (or part of its name): that job and its projects.",
                    },
                    "kind": {
                        "type": "string",
                        "description": "Item kind: experience, project, education, certification, award, "
                        "publication, or a project kind such as open-source, personal, hackathon, work.",
                    },
                    "date_from": {
                        "type": "string",
                        "description": "YYYY or YYYY-MM: items active on or after.",
                    },
                    "date_to": {
                        "type": "string",
                        "description": "YYYY or YYYY-MM: items active on or before.",
                    },
                    "text": {
                        "type": "string",
                        "description": "Free-text keywords, e.g. 'mentoring', 'fraud'.",
                    },
                },
                "additionalProperties": False,
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "get_item",
            "description": "All resume facts about one item, by the id a search returned.",
            "parameters": {
                "type": "object",
                "properties": {"id": {"type": "string", "description": "Item id, e.g. 'exp-...'."}},
                "required": ["id"],
                "additionalProperties": False,
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "get_profile",
            "description": "A profile field: contact details, location, availability, work authorization, "
            "spoken languages, summary, skills, interests; 'all' for everything.",
            "parameters": {
                "type": "object",
                "properties": {"field": {"type": "string", "enum": list(PROFILE_FIELDS)}},
                "required": ["field"],
                "additionalProperties": False,
            },
        },
    },
]


def system_prompt(resume: Resume) -> str:
    """The LLM system prompt (tools/prompts/system.md) filled in for this resume's owner."""
    text = resources.files("tools").joinpath("prompts/system.md").read_text(encoding="utf-8")
    p = resume.profile
    return text.format(name=p.name, first=p.name.split()[0], pronouns=p.pronouns or "they/them")


def items_from_tool_result(result: Mapping[str, Any]) -> list[str]:
    """Item ids a tool result mentions, in order, without duplicates."""
    ids: list[str] = []
    entries = list(result.get("items") or [])
    if isinstance(result.get("item"), Mapping):
        entries.append(result["item"])
    for e in entries:
        ident = e.get("id") if isinstance(e, Mapping) else None
        if isinstance(ident, str) and ident not in ids:
            ids.append(ident)
    return ids


class ResumeToolbox:
    def __init__(self, engine: ResumeEngine) -> None:
        self.resume = engine.resume
        # Callers build a toolbox per question, so borrow the engine's prebuilt indexes (same package).
        self._tech: TechIndex = engine._tech
        self._entities: EntityIndex = engine._entities
        self._index: ResumeIndex = engine._index
        # The engine's own retrieval: same stems, synonyms and coverage rule as its spoken answers.
        self._retrieval: Retrieval = engine._planner.retrieval
        self._project_kinds = {p.kind for p in self.resume.projects}
        self.schemas = TOOL_SCHEMAS

    def call(self, name: str, arguments: Mapping[str, Any] | None) -> dict[str, Any]:
        args = dict(arguments or {}) if isinstance(arguments, Mapping | type(None)) else None
        if args is None:
            return {"error": "arguments must be a JSON object"}
        handlers = {
            "search_resume": self._search,
            "get_item": self._get_item,
            "get_profile": self._get_profile,
        }
        handler = handlers.get(name)
        if handler is None:
            return {"error": f"unknown tool {name!r}; available: {', '.join(handlers)}"}
        try:
            return handler(args)
        except (TypeError, ValueError, KeyError) as exc:
            return {"error": f"{name}: {exc}"}

    # --- tools ---------------------------------------------------------------------------------

    def _search(self, args: dict[str, Any]) -> dict[str, Any]:
        unknown = set(args) - set(_SEARCH_ARGS)
        if unknown:
            return {"error": f"unknown arguments {sorted(unknown)}; allowed: {', '.join(_SEARCH_ARGS)}"}
        for key, value in args.items():
            if value is not None and not isinstance(value, str):
                return {"error": f"{key} must be a string"}
        idx = self._index
        pool = list(idx.entries)
        notes: list[str] = []
        kind = (args.get("kind") or "").strip().lower() or None
        if kind is not None:
            if kind in ITEM_KINDS:
                pool = idx.filter(pool, kind=kind)
            elif kind in self._project_kinds:
                pool = idx.filter(pool, project_kind=kind)
            else:
                kinds = ", ".join((*ITEM_KINDS, *sorted(self._project_kinds)))
                return {"error": f"unknown kind {kind!r}; use one of: {kinds}"}
        if args.get("technology"):
            matches = self._tech.find(Utterance.of(args["technology"]))
            if not matches:
                notes.append(f"No technology recognised in {args['technology']!r}; searched it as text.")
                pool = self._text(pool, args["technology"])
            elif not matches[0].in_resume:
                related = self._tech.related(matches[0].name)
                hint = f" Related on the resume: {', '.join(related)}." if related else ""
                return {
                    "count": 0,
                    "items": [],
                    "note": f"The resume doesn't mention {matches[0].name}.{hint}",
                }
            else:
                ids = set(self._tech.items_for(matches[0].name))
                for r in self._tech.related(matches[0].name) if not ids else ():
                    ids |= set(self._tech.items_for(r))
                pool = [e for e in pool if e.id in ids]
        if args.get("company"):
            found = [m for m in self._entities.find(Utterance.of(args["company"])) if m.kind == "experience"]
            if not found:
                return {
                    "count": 0,
                    "items": [],
                    "note": f"No employer on the resume matches {args['company']!r}.",
                }
            employer = found[0].item_id
            pool = idx.filter(pool, employer=employer)
        if args.get("date_from") or args.get("date_to"):
            pool = idx.filter(pool, date=self._range(args.get("date_from"), args.get("date_to")))
        if args.get("text"):
            pool = self._text(pool, args["text"])
        out: dict[str, Any] = {"count": len(pool), "items": [self._brief(e) for e in pool]}
        if notes:
            out["note"] = " ".join(notes)
        return out

    def _get_item(self, args: dict[str, Any]) -> dict[str, Any]:
        ident = args.get("id")
        if not isinstance(ident, str):
            return {"error": "get_item needs a string 'id'"}
        e = self._index.by_id.get(ident.strip())
        if e is None:
            return {"error": f"no item with id {ident!r}"}
        data = e.item.model_dump(exclude_none=True)
        data.update(self._brief(e))
        return {"item": data}

    def _get_profile(self, args: dict[str, Any]) -> dict[str, Any]:
        field = args.get("field")
        if field not in PROFILE_FIELDS:
            return {"error": f"field must be one of: {', '.join(PROFILE_FIELDS)}"}
        profile = self.resume.profile.model_dump()
        extra = {"skills": self.resume.skills, "interests": self.resume.interests}
        if field == "all":
            return {"field": field, "value": profile | extra}
        value = extra[field] if field in extra else profile.get(field)
        return {"field": field, "value": value if value not in (None, "", [], {}) else None}

    # --- helpers -------------------------------------------------------------------------------

    @staticmethod
    def _range(date_from: str | None, date_to: str | None) -> DateRange:
        for d in (date_from, date_to):
            if d and not _DATE_RE.match(d.strip()):
                raise ValueError(f"date {d!r} must look like YYYY or YYYY-MM")
        lo = month_of(date_from.strip()) if date_from else None
        hi = end_month_of(date_to.strip()) if date_to else None
        return DateRange(lo=lo, hi=hi, mode="overlap", label="")

    def _text(self, pool: list[Entry], text: str) -> list[Entry]:
        stems = content_stems(Utterance.of(text).toks)
        found = self._retrieval.rank(stems, limit=len(self._index.entries))
        order = {f.entry.id: n for n, f in enumerate(found)}
        return sorted((e for e in pool if e.id in order), key=lambda e: order[e.id])

    def _brief(self, e: Entry) -> dict[str, Any]:
        out: dict[str, Any] = {"id": e.id, "kind": e.kind, "title": e.title}
        start, end = e.start, e.end
        if e.ongoing:
            out["dates"] = f"{spoken(start)} to present"
        elif start and end and start != end:
            out["dates"] = f"{spoken(start)} to {spoken(end)}"
        elif start or end:
            out["dates"] = spoken(start or end)
        for attr in ("role", "degree", "issuer", "venue"):
            if e.attr(attr):
                out[attr] = e.attr(attr)
        employer = self._index.employer_of(e)
        if employer is not None:
            out["employer"] = employer.title
        if e.kind == "project" and e.attr("kind"):
            out["project_kind"] = e.attr("kind")
        if e.techs:
            out["technologies"] = list(e.techs)
        if e.sentences:
            out["summary"] = e.sentences[0]
        return out
