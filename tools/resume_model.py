"""Pydantic model of a resume: the shape of `tools/data/sample_resume.json`.

Dates are "YYYY-MM" (or "YYYY") strings as the resume has them; `end: null` means current.
Unknown top-level keys are rejected so a typo in an owner's file is reported, not silently dropped.
"""

from __future__ import annotations

import re
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")


def _check_date(value: str | None) -> str | None:
    if value is not None and not _DATE.match(value):
        raise ValueError(f"date {value!r} must look like YYYY-MM or YYYY")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Links(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)
    github: str | None = None
    linkedin: str | None = None
    website: str | None = None


class Profile(_Strict):
    name: str = Field(min_length=1)
    pronouns: str | None = None
    title: str = ""
    location: str | None = None
    email: str | None = None
    phone: str | None = None
    links: Links = Links()
    summary: str = ""
    availability: str | None = None
    work_authorization: str | None = None
    languages_spoken: list[str] = []


class _Dated(_Strict):
    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.:-]+$")

    @field_validator("start", "end", "date", check_fields=False)
    @classmethod
    def _valid_date(cls, value: str | None) -> str | None:
        return _check_date(value)


class Experience(_Dated):
    company: str = Field(min_length=1)
    role: str = ""
    location: str | None = None
    start: str
    end: str | None = None
    employment_type: str | None = None
    summary: str = ""
    highlights: list[str] = []
    technologies: list[str] = []
    team_size: int | None = None


class Project(_Dated):
    name: str = Field(min_length=1)
    kind: str = "work"
    start: str | None = None
    end: str | None = None
    employer: str | None = None
    description: str = ""
    highlights: list[str] = []
    technologies: list[str] = []
    url: str | None = None


class Education(_Dated):
    institution: str = Field(min_length=1)
    degree: str = ""
    start: str | None = None
    end: str | None = None
    details: str = ""


class Certification(_Dated):
    name: str = Field(min_length=1)
    issuer: str | None = None
    date: str | None = None


class Award(_Dated):
    name: str = Field(min_length=1)
    date: str | None = None
    details: str = ""


class Publication(_Dated):
    title: str = Field(min_length=1)
    venue: str | None = None
    date: str | None = None
    url: str | None = None


ItemKind = Literal["experience", "project", "education", "certification", "award", "publication"]


class Resume(_Strict):
    schema_version: Literal[1] = 1
    profile: Profile
    experience: list[Experience] = []
    projects: list[Project] = []
    education: list[Education] = []
    certifications: list[Certification] = []
    awards: list[Award] = []
    publications: list[Publication] = []
    skills: dict[str, list[str]] = {}
    interests: list[str] = []

    @model_validator(mode="after")
    def _unique_ids(self) -> Resume:
        seen: set[str] = set()
        for kind, item in self.items():
            if item.id in seen:
                raise ValueError(f"duplicate item id {item.id!r} in {kind}")
            seen.add(item.id)
        employers = {e.id for e in self.experience}
        for p in self.projects:
            if p.employer is not None and p.employer not in employers:
                raise ValueError(f"project {p.id!r}: employer {p.employer!r} is not an experience id")
        return self

    def items(self) -> list[tuple[ItemKind, _Dated]]:
        """Every identifiable item with its kind, in resume order."""
        out: list[tuple[ItemKind, _Dated]] = []
        out += [("experience", e) for e in self.experience]
        out += [("project", p) for p in self.projects]
        out += [("education", e) for e in self.education]
        out += [("certification", c) for c in self.certifications]
        out += [("award", a) for a in self.awards]
        out += [("publication", p) for p in self.publications]
        return out


def item_title(item: BaseModel) -> str:
    """A short human title for any resume item."""
    for attr in ("company", "name", "institution", "title"):
        value = getattr(item, attr, None)
        if value:
            return str(value)
    return str(getattr(item, "id", ""))


def sample_resume_json() -> str:
    return resources.files("tools").joinpath("data/sample_resume.json").read_text(encoding="utf-8")


def load_sample_resume() -> Resume:
    return Resume.model_validate_json(sample_resume_json())
