"""Import checks (each names its field) and JSON Resume conversion."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from tools.jsonresume import is_json_resume
from tools.resume_import import ResumeImportError, import_resume
from tools.resume_model import sample_resume_json

TODAY = date(2026, 12, 1)


def sample() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(sample_resume_json())
    return data


def fields(exc: ResumeImportError) -> list[str]:
    return [p.field for p in exc.problems]


def test_the_sample_imports_without_problems() -> None:
    done = import_resume(sample(), TODAY)
    assert done.format == "resume-agent" and done.warnings == []


def test_end_before_start_is_an_error_naming_the_field() -> None:
    data = sample()
    data["experience"][2]["end"] = "2015-01"
    with pytest.raises(ResumeImportError) as err:
        import_resume(data, TODAY)
    assert fields(err.value) == ["experience.2.end"]
    assert "before the start date 2016-09" in str(err.value)


def test_dates_more_than_a_month_ahead_are_errors_and_a_future_end_a_warning() -> None:
    data = sample()
    data["projects"][0]["start"] = "2029-05"
    data["awards"][0]["date"] = "2027-01"  # one month ahead is still fine
    with pytest.raises(ResumeImportError) as err:
        import_resume(data, TODAY)
    assert fields(err.value) == ["projects.0.start"]
    data["projects"][0]["start"] = "2024-01"
    data["education"][0]["end"] = "2028-06"
    done = import_resume(data, TODAY)
    assert [w.field for w in done.warnings] == ["education.0.end"]


def test_duplicates_and_empty_sections_are_warnings() -> None:
    data = sample()
    twin = dict(data["projects"][1], id="proj-twin")
    data["projects"].append(twin)
    data["publications"] = []
    data["skills"]["empty_one"] = []
    done = import_resume(data, TODAY)
    found = {w.field: w.message for w in done.warnings}
    assert "duplicates projects.1" in found[f"projects.{len(data['projects']) - 1}"]
    assert "publications" in found and "skills.empty_one" in found


def test_schema_errors_name_the_field() -> None:
    data = sample()
    data["experience"][0]["start"] = "March 2022"
    with pytest.raises(ResumeImportError) as err:
        import_resume(data, TODAY)
    assert fields(err.value) == ["experience.0.start"]
    with pytest.raises(ResumeImportError):
        import_resume(["not", "an", "object"], TODAY)


JSON_RESUME: dict[str, Any] = {
    "$schema": "https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json",
    "basics": {
        "name": "Ana Lima",
        "label": "Registered Nurse",
        "email": "ana@example.org",
        "url": "https://ana.example.org",
        "summary": "Nurse with eight years on surgical wards.",
        "location": {"city": "Porto", "countryCode": "PT"},
        "profiles": [{"network": "LinkedIn", "username": "ana", "url": "https://linkedin.example/ana"}],
    },
    "work": [
        {
            "name": "Hospital Central",
            "position": "Staff Nurse",
            "startDate": "2018-03-01",
            "summary": "Surgical ward, 30 beds.",
            "highlights": ["Led the ward's sepsis screening rollout."],
        }
    ],
    "volunteer": [{"organization": "Red Cross", "position": "First aider", "startDate": "2016-05"}],
    "education": [
        {"institution": "University of Porto", "area": "Nursing", "studyType": "BSc", "startDate": "2014-09",
         "endDate": "2018-06", "score": "17/20", "courses": ["Pharmacology"]}
    ],
    "certificates": [{"name": "Advanced Life Support", "date": "2021-02-10", "issuer": "ERC"}],
    "awards": [{"title": "Nurse of the Year", "date": "2022-11", "awarder": "Hospital Central"}],
    "publications": [
        {"name": "Early warning scores", "publisher": "Nursing Journal", "releaseDate": "2023-01"}
    ],
    "skills": [{"name": "Clinical", "keywords": ["Triage", "Wound care"]}],
    "languages": [{"language": "Portuguese", "fluency": "Native speaker"}],
    "interests": [{"name": "Running"}],
    "projects": [{"name": "Sepsis screening", "entity": "Hospital Central", "keywords": ["qSOFA"],
                  "startDate": "2022-01", "endDate": "2022-06", "description": "Ward rollout."}],
    "references": [{"name": "Dr X", "reference": "Great."}],
}  # fmt: skip


def test_json_resume_is_converted() -> None:
    assert is_json_resume(JSON_RESUME) and not is_json_resume(sample())
    done = import_resume(JSON_RESUME, TODAY)
    r = done.resume
    assert done.format == "json-resume"
    assert r.profile.name == "Ana Lima" and r.profile.title == "Registered Nurse"
    assert r.profile.location == "Porto, PT" and r.profile.links.website == "https://ana.example.org"
    assert r.profile.languages_spoken == ["Portuguese (native speaker)"]
    job, volunteer = r.experience
    assert (job.company, job.role, job.start, job.end) == ("Hospital Central", "Staff Nurse", "2018-03", None)
    assert volunteer.employment_type == "volunteer" and volunteer.company == "Red Cross"
    assert r.education[0].degree == "BSc in Nursing" and "Pharmacology" in r.education[0].details
    assert r.certifications[0].date == "2021-02" and r.awards[0].details == "From Hospital Central."
    assert r.publications[0].venue == "Nursing Journal"
    assert r.projects[0].employer == job.id and r.projects[0].technologies == ["qSOFA"]
    assert r.skills == {"Clinical": ["Triage", "Wound care"]} and r.interests == ["Running"]
    assert [w.field for w in done.warnings] == ["references"]


def test_json_resume_errors_say_so() -> None:
    bad = json.loads(json.dumps(JSON_RESUME))
    bad["work"][0]["endDate"] = "2017-01-01"
    with pytest.raises(ResumeImportError) as err:
        import_resume(bad, TODAY)
    assert err.value.format == "json-resume" and fields(err.value) == ["experience.0.end"]
