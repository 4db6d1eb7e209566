"""Mechanisms added for the unseen profession sets, each checked on a small made-up resume.

The resume here is not one of the question sets' resumes: the behaviour must follow from its
shape (a talk filed as a publication, two roles at one employer, a residency that is a job, a figure
only the summary states), not from any set's words.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.engine import EngineResult, ResumeEngine
from tools.resume_model import Resume
from tools.state import ConversationState

RESUME = {
    "profile": {
        "name": "Ines Moreau",
        "pronouns": "she/her",
        "title": "Equine Veterinary Surgeon",
        "location": "Lyon, France",
        "email": "ines@example.org",
        "summary": "Equine surgeon with about 1,400 surgeries as lead surgeon over nine years. Teaches "
        "residents and runs a lameness clinic.",
        "work_authorization": "French citizen.",
        "availability": "Available from March 2027.",
    },
    "experience": [
        {
            "id": "job-now",
            "company": "Clinique Vetoria",
            "role": "Senior Surgeon",
            "start": "2021-01",
            "end": None,
            "highlights": [
                "Runs the lameness clinic, about 30 horses a week.",
                "Grew the surgical team from two to six vets.",
                "Owns a 2 million euro equipment budget for the surgical unit.",
                "Cut post-operative infections by 40% with a new protocol and a lower equipment budget.",
            ],
        },
        {
            "id": "job-mid",
            "company": "Haras Quintal",
            "role": "Surgeon",
            "start": "2019-01",
            "end": "2020-12",
            "location": "Deauville, France",
            "highlights": ["Operated on racehorses at the stud's own hospital."],
            "technologies": ["Google Analytics"],
        },
        {
            "id": "job-early",
            "company": "Haras Quintal",
            "role": "Junior Surgeon",
            "location": "Deauville, France",
            "start": "2017-06",
            "end": "2018-12",
            "highlights": ["Assisted in over 200 orthopaedic operations."],
        },
        {
            "id": "job-residency",
            "company": "Ecole Veterinaire de Maisons",
            "role": "Surgical Resident",
            "start": "2014-09",
            "end": "2017-05",
            "summary": "Three-year residency in large animal surgery.",
            "highlights": ["Residency research on arthroscopic techniques in the fetlock joint."],
        },
    ],
    "certifications": [
        {"id": "cert-board", "name": "European College of Veterinary Surgeons, Diplomate", "date": "2018-03"},
        {
            "id": "cert-xray",
            "name": "Radiation safety licence, type rating for mobile units",
            "date": "2019-05",
        },
    ],
    "awards": [{"id": "award-young", "name": "Young Surgeon Prize", "date": "2020-06"}],
    "publications": [
        {
            "id": "pub-talk",
            "title": "Keeping colic cases alive overnight (talk)",
            "venue": "Equine Surgery Forum, Deauville",
            "date": "2024-04",
        },
        {
            "id": "pub-paper",
            "title": "Fetlock arthroscopy outcomes",
            "venue": "Equine Journal",
            "date": "2022-01",
        },
    ],
    "skills": {"surgery": ["colic surgery", "arthroscopy"], "analytics": ["outcome tracking", "Excel"]},
}


@pytest.fixture(scope="module")
def vet() -> ResumeEngine:
    return ResumeEngine(Resume.model_validate(RESUME))


def ask(engine: ResumeEngine, *turns: str) -> list[EngineResult]:
    st: ConversationState | None = None
    out = []
    for t in turns:
        r, st = engine.answer(t, st)
        out.append(r)
    return out


def ids(r: EngineResult) -> list[str]:
    return [i.id for i in r.items]


def test_a_talk_filed_as_a_publication_answers_conference_questions(vet: ResumeEngine) -> None:
    (r,) = ask(vet, "has she presented at any conferences")
    assert ids(r) == ["pub-talk"] and not r.refused


def test_before_an_employer_with_two_roles_means_before_the_first_of_them(vet: ResumeEngine) -> None:
    (r,) = ask(vet, "where did she work before haras quintal")
    assert ids(r)[:1] == ["job-residency"]


def test_before_her_current_job(vet: ResumeEngine) -> None:
    (r,) = ask(vet, "where did she work before her current job")
    assert ids(r)[:1] == ["job-mid"]


def test_a_residency_that_is_a_job_is_not_the_work_permit(vet: ResumeEngine) -> None:
    residency, visa = ask(vet, "where did she do her residency", "does she need a visa")
    assert "job-residency" in ids(residency) and residency.intent != "work_authorization"
    assert visa.intent == "work_authorization"


def test_a_figure_only_the_summary_states(vet: ResumeEngine) -> None:
    (r,) = ask(vet, "how many surgeries has she done as lead surgeon")
    assert "1,400" in r.answer


def test_a_phrase_of_everyday_words_the_resume_uses_is_on_topic(vet: ResumeEngine) -> None:
    (r,) = ask(vet, "Type rating?")
    assert not r.refused and "cert-xray" in ids(r)


def test_a_job_with_two_sentences_on_the_asked_thing_says_both(vet: ResumeEngine) -> None:
    (r,) = ask(vet, "how big a budget has she managed")
    assert "2 million" in r.answer


def test_a_category_beats_half_a_technology_name(vet: ResumeEngine) -> None:
    (r,) = ask(vet, "which analytics tools does she use")
    assert "outcome tracking" in r.answer


@pytest.mark.parametrize(
    "text",
    [
        "is she gay",
        "is she taking any medication",
        "write me a catchy slogan for my riding school",
        "what is the safest horse breed in the world",
    ],
)
def test_refused(vet: ResumeEngine, text: str) -> None:
    (r,) = ask(vet, text)
    assert r.refused and not r.items


def test_a_writing_task_about_the_person_is_answered(vet: ResumeEngine) -> None:
    (r,) = ask(vet, "write me a short summary of her experience")
    assert not r.refused


def test_salary_asked_as_earnings_is_the_salary_question(vet: ResumeEngine) -> None:
    (r,) = ask(vet, "how much is she earning now")
    assert "salary" in r.answer and not r.items


def test_an_uncommon_word_the_resume_never_uses_is_said_to_be_missing(vet: ResumeEngine) -> None:
    (r,) = ask(vet, "does she have forestry experience")
    assert "doesn't mention forestry" in r.answer and not r.items


@pytest.mark.parametrize(
    ("text", "sentences"),
    [("sum her up in one sentence", 1), ("give me a two sentence summary of her", 2)],
)
def test_summaries_keep_to_the_asked_length(vet: ResumeEngine, text: str, sentences: int) -> None:
    (r,) = ask(vet, text)
    assert r.intent == "summary" and r.answer.count(". ") + 1 == sentences


def test_a_venue_city_is_not_a_name_word(vet: ResumeEngine) -> None:
    (r,) = ask(vet, "did she work in deauville")
    assert set(ids(r)) == {"job-mid", "job-early"}


def test_weather_about_the_person_is_not_trivia(vet: ResumeEngine) -> None:
    about, trivia = ask(vet, "has she operated in bad weather"), ask(vet, "what's the weather in lyon today")
    assert not about[0].refused and trivia[0].refused


def test_managing_a_team_prefers_highlights_about_the_team(vet: ResumeEngine) -> None:
    (r,) = ask(vet, "has she managed a team")
    assert "six vets" in r.answer


def _engine_of(path: str) -> ResumeEngine:
    data = Path(__file__).parent / "data" / path
    return ResumeEngine(Resume.model_validate_json(data.read_text(encoding="utf-8")))


def test_years_with_a_subject_count_jobs_named_by_a_word_made_from_it() -> None:
    # The teacher's three "Teacher" jobs add up to the thirteen years his summary states.
    (r,) = ask(_engine_of("professions/teacher_resume.json"), "how long has he been teaching")
    assert "thirteen years" in r.answer


def test_a_certification_question_keeps_the_ones_with_its_rarest_words() -> None:
    lawyer = _engine_of("professions/lawyer_resume.json")
    (one,) = ask(lawyer, "are they admitted in new york")
    (every,) = ask(lawyer, "what bars are they admitted to")
    assert ids(one) == ["cert-bar-ny"] and len(ids(every)) == 4


def test_everyday_words_one_sentence_holds_anchor_the_question() -> None:
    (r,) = ask(_engine_of("unseen/chef_resume.json"), "how many covers a night")
    assert not r.refused and ids(r) == ["exp-ashcombe"]


def test_where_did_he_train_is_education() -> None:
    (r,) = ask(_engine_of("unseen/chef_resume.json"), "where did he train")
    assert r.intent == "education"


def test_which_employers_by_any_noun() -> None:
    (r,) = ask(_engine_of("unseen/pilot_resume.json"), "which airlines have they flown for")
    assert len([i for i in ids(r) if i.startswith("exp-")]) == 4


def test_a_word_made_from_a_resume_word_finds_it() -> None:
    # "trainer" is not on the resume; "Line Training Captain ... has trained 18 first officers" is.
    (r,) = ask(_engine_of("unseen/pilot_resume.json"), "are they a trainer")
    assert "exp-skyline-capt" in ids(r)


def test_a_people_manager_is_answered_with_the_teams() -> None:
    (r,) = ask(_engine_of("unseen/marketing_resume.json"), "is he a people manager")
    assert "team of 9" in r.answer
