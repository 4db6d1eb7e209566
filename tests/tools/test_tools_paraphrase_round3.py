"""Paraphrase, fit and deed questions of the third blind round (tests/tools/data/unseen3/), made-up resume.

The stage manager below is none of the question sets' resumes. What is tested is asking in other words
what only a highlight states (a prefix taken off, a related word, a deed a skill word would list as
skills), fit questions phrased with "suit", and a skill category asked by its whole name.
"""

from __future__ import annotations

import pytest

from tests.tools.conversation import converse
from tools.engine import EngineResult, ResumeEngine
from tools.resume_model import Resume
from tools.retrieval import Retrieval
from tools.search import ResumeIndex
from tools.state import ConversationState
from tools.technology import TechIndex
from tools.text import stem

RESUME = {
    "profile": {
        "name": "Imogen Ashdown",
        "pronouns": "she/her",
        "title": "Company Stage Manager",
        "location": "Bristol, UK",
        "summary": "Stage manager with 11 years in repertory and touring theatre. Runs a backstage crew "
        "of up to 14 and calls the show for large-scale productions.",
    },
    "experience": [
        {
            "id": "job-rep",
            "company": "Harbourline Repertory Theatre",
            "role": "Company Stage Manager",
            "start": "2019-04",
            "end": None,
            "summary": "Company stage manager for a 600-seat producing theatre with an opera season.",
            "highlights": [
                "Brought the wait for the house to open down from 25 minutes to 10 with a new check-in.",
                "Moved the backstage team from prompt books to QLab, training 18 staff in three months.",
                "Introduced decontamination of shared wigs and headsets between performances.",
                "Stage manager for the 2021 touring production of a Verdi double bill.",
                "Stage-managed the 2022 riverside festival, with 3,000 audience members and no injuries.",
            ],
        },
        {
            "id": "job-tour",
            "company": "Pennant Touring Company",
            "role": "Deputy Stage Manager",
            "start": "2014-01",
            "end": "2019-03",
            "summary": "Deputy stage manager on national tours.",
            "highlights": ["Called cues for 400 performances in 30 venues."],
        },
    ],
    "projects": [
        {
            "id": "proj-youth",
            "name": "Backstage Saturdays",
            "kind": "volunteer",
            "description": "Teaches backstage skills to secondary-school pupils on Saturday mornings.",
            "highlights": ["Adopted by 6 theatres in the region."],
        }
    ],
    "certifications": [
        {"id": "cert-check", "name": "Enhanced background check (working with children)", "date": "2022-01"}
    ],
    "publications": [
        {"id": "pub-crew", "title": "Safe hands: a handbook for the stage crew (talk)", "date": "2023-05"}
    ],
    "skills": {
        "stage management": ["prompt book", "cue calling", "rehearsal scheduling"],
        "software": ["QLab", "Vectorworks"],
        "tools": ["chain hoists", "torque wrench"],
    },
}


@pytest.fixture(scope="module")
def sm() -> ResumeEngine:
    return ResumeEngine(Resume.model_validate(RESUME))


def ask(engine: ResumeEngine, *turns: str) -> list[EngineResult]:
    return converse(engine, *turns)


def ids(result: EngineResult) -> list[str]:
    return [i.id for i in result.items]


def test_a_word_with_a_prefix_taken_off_or_put_on_finds_the_resume_word() -> None:
    resume = Resume.model_validate(RESUME)
    retrieval = Retrieval(ResumeIndex(resume, TechIndex(resume)))
    assert "train" in retrieval.related(stem("retrain"))
    assert stem("decontamination") in retrieval.related(stem("contamination"))


def test_quicker_is_a_wait_brought_down(sm: ResumeEngine) -> None:
    (r,) = ask(sm, "did she get the house open quicker")
    assert ids(r)[:1] == ["job-rep"] and "25" in r.answer


def test_a_deed_beats_the_skill_category_a_word_names(sm: ResumeEngine) -> None:
    # "software" is a skill category, but the question asks whether she did something.
    (r,) = ask(sm, "has she ever had to retrain a whole team on new software")
    assert r.intent == "search" and "18" in r.answer


def test_a_deed_beats_the_skills_section_a_word_names(sm: ResumeEngine) -> None:
    (r,) = ask(sm, "has she done anything about contamination on headsets")
    assert ids(r)[:1] == ["job-rep"] and "decontamination" in r.answer


def test_a_word_the_summary_uses_does_not_name_a_title_by_pointer(sm: ResumeEngine) -> None:
    assert not sm.parse("did she keep her crew safe").ents


def test_run_after_the_person_is_a_light_verb(sm: ResumeEngine) -> None:
    assert sm.parse("has she run a festival").stems == [stem("festival")]


def test_a_figure_follow_up_picks_the_item_whose_figure_it_asks(sm: ResumeEngine) -> None:
    st = ConversationState(focus_ids=["job-tour", "job-rep"], last_item_ids=["job-tour", "job-rep"])
    result, _ = sm.answer("how many audience members were there", st)
    assert "3,000" in result.answer


def test_vetted_asks_for_the_certifications(sm: ResumeEngine) -> None:
    (r,) = ask(sm, "is she vetted to work with children")
    assert ids(r) == ["cert-check"]


def test_an_adverb_whose_related_word_the_resume_uses_is_asked(sm: ResumeEngine) -> None:
    (r,) = ask(sm, "how widely was her backstage scheme used")
    assert "6 theatres" in r.answer


def test_the_highlight_that_shows_what_a_description_names_follows_it(sm: ResumeEngine) -> None:
    (r,) = ask(sm, "any opera experience")
    assert "opera season" in r.answer and "Verdi" in r.answer


def test_would_she_suit_is_a_fit_question_with_facts_not_a_verdict(sm: ResumeEngine) -> None:
    (r,) = ask(sm, "would she suit a company stage manager role")
    assert r.intent == "opinion" and "can't judge fit" in r.answer
    assert "job-rep" in ids(r)
    # Only items whose facts the answer says are cited.
    assert all(i.title in r.answer for i in r.items)


def test_a_category_asked_by_its_whole_name_lists_it(sm: ResumeEngine) -> None:
    # "management" of "stage management" is not a leadership question.
    (r,) = ask(sm, "what's on the stage management side of her skills")
    assert "prompt book" in r.answer


def test_a_category_by_its_own_name_beats_another_ones_alias(sm: ResumeEngine) -> None:
    # "tools" is also what people call software; here it is a category of its own.
    assert sm.parse("what tools does she use").det.category == "tools"


def test_a_job_held_under_the_roles_title_is_a_fact_of_the_fit(sm: ResumeEngine) -> None:
    (r,) = ask(sm, "is she right for a deputy stage manager job")
    assert r.intent == "opinion" and "job-tour" in ids(r) and "Pennant" in r.answer


def test_good_with_is_a_fit_question(sm: ResumeEngine) -> None:
    (r,) = ask(sm, "is she good with young people")
    assert r.intent == "opinion" and ids(r)[:1] == ["proj-youth"]


def test_a_deed_abroad_is_the_sentence_naming_a_country_away_from_home() -> None:
    tour = dict(RESUME["experience"][1])  # type: ignore[index]
    tour["highlights"] = [
        "Called cues for 400 performances.",
        "Toured Canada and Japan in 2017: 60 performances.",
    ]
    engine = ResumeEngine(Resume.model_validate(RESUME | {"experience": [tour]}))
    r, then = ask(engine, "has she toured abroad", "how many performances")
    assert "Canada" in r.answer and ids(r) == ["job-tour"]
    # The figure of the sentence just said, not the job's other count of performances.
    assert "60" in then.answer and "400" not in then.answer


def test_by_how_much_is_the_figure_of_the_sentence_just_said(sm: ResumeEngine) -> None:
    _, then = ask(sm, "did she get the house open quicker", "by how much")
    assert "25 minutes" in then.answer and "600" not in then.answer


def test_a_follow_up_over_two_items_is_about_the_one_whose_sentence_answers_it(sm: ResumeEngine) -> None:
    reviewed = dict(RESUME["projects"][0])  # type: ignore[index]
    reviewed["highlights"] = ["Adopted by 6 theatres in the region; praised in The Stage."]
    engine = ResumeEngine(Resume.model_validate(RESUME | {"projects": [reviewed]}))
    st = ConversationState(focus_ids=["job-tour", "proj-youth"], last_item_ids=["job-tour", "proj-youth"])
    result, _ = engine.answer("how was it received", st)
    assert [i.id for i in result.items] == ["proj-youth"] and "praised" in result.answer


def test_how_long_did_it_take_is_the_time_the_sentence_just_said_gives(sm: ResumeEngine) -> None:
    _, then = ask(sm, "has she ever had to retrain a whole team on new software", "how long did it take")
    assert "three months" in then.answer
    # After all of an item was said, it is the item's dates.
    _, dates = ask(sm, "tell me about backstage saturdays", "how long did it take")
    assert "months" not in dates.answer


def test_a_fit_answer_says_a_fact_and_never_a_sentence_without_the_one_before_it(sm: ResumeEngine) -> None:
    (r,) = ask(sm, "is she good with big festivals")
    assert "can't judge fit" in r.answer and "festival" in r.answer


def test_anything_notable_after_two_jobs_says_what_each_did(sm: ResumeEngine) -> None:
    st = ConversationState(focus_ids=["job-tour", "job-rep"], last_item_ids=["job-tour", "job-rep"])
    result, _ = sm.answer("anything notable there", st)
    assert "400 performances" in result.answer
    # A field asked of both is not a reason to add what they did.
    result, _ = sm.answer("what was her position there", st)
    assert "400" not in result.answer
