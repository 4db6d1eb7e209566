"""Order, tenure and facet follow-ups of the third blind round (tests/tools/data/unseen3/), made-up resume.

The stage manager below is none of the question sets' resumes: what is tested follows from the
resume's shape (two roles at one employer, a job dated by years alone, jobs in different towns, sums
of money in a job and a project, a highlight that states how long it took, one that founded
something, a tour to a country no job was in), not from any set's words.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.tools.conversation import converse
from tools.engine import EngineResult, ResumeEngine
from tools.resume_model import Resume

RESUME = {
    "profile": {
        "name": "Ingrid Solberg",
        "pronouns": "she/her",
        "title": "Head of Stage Management",
        "location": "Leeds, UK",
        "email": "ingrid@example.org",
        "summary": "Stage manager with 15 years in touring and repertory theatre.",
    },
    "experience": [
        {
            "id": "job-head",
            "company": "Northlight Theatre",
            "role": "Head of Stage Management",
            "location": "Leeds, UK",
            "start": "2020-05",
            "end": None,
            "summary": "Runs the stage management department of a producing theatre.",
            "highlights": [
                "Managed a £2.4 million production budget across the main stage season.",
                "Took the company's Hamlet on a tour of Canada: 40 shows in 9 weeks.",
                "Cut set-build costs by 18% by reusing stock scenery.",
            ],
        },
        {
            "id": "job-sm",
            "company": "Northlight Theatre",
            "role": "Stage Manager",
            "location": "Leeds, UK",
            "start": "2016-09",
            "end": "2020-04",
            "summary": "Stage manager on the theatre's main stage.",
            "highlights": [
                "Founded a backstage apprenticeship scheme for school leavers.",
                "Moved the prop store to a new warehouse in 6 weeks without cancelling a show.",
            ],
        },
        {
            "id": "job-rep",
            "company": "Harbour Repertory Company",
            "role": "Deputy Stage Manager",
            "location": "Hull, UK",
            "start": "2013",
            "end": "2016",
        },
        {
            "id": "job-tour",
            "company": "Wandering Players",
            "role": "Assistant Stage Manager",
            "location": "Whitby, UK",
            "start": "2011-06",
            "end": "2013-05",
            "summary": "Small touring company playing village halls.",
        },
    ],
    "projects": [
        {
            "id": "proj-fest",
            "name": "Riverside open-air festival",
            "kind": "volunteer",
            "description": "Volunteer production manager of a weekend festival.",
            "highlights": ["A £150,000 festival run entirely by volunteers."],
        }
    ],
}


@pytest.fixture(scope="module")
def engine() -> ResumeEngine:
    return ResumeEngine(Resume.model_validate(RESUME), today=date(2026, 12, 1))


def ask(engine: ResumeEngine, *turns: str) -> EngineResult:
    return converse(engine, *turns)[-1]


def ids(result: EngineResult) -> list[str]:
    return [i.id for i in result.items]


def test_a_place_anchors_before(engine: ResumeEngine) -> None:
    r = ask(engine, "where was she before leeds")
    assert ids(r)[0] == "job-rep" and "Hull" in r.answer


def test_a_role_word_anchors_before_and_names_the_role(engine: ResumeEngine) -> None:
    r = ask(engine, "what did she do before she became head")
    assert ids(r)[0] == "job-sm"
    assert "Head of Stage Management" in r.answer


def test_the_chain_walks_on_from_a_role_anchor(engine: ResumeEngine) -> None:
    r = ask(engine, "what did she do before she became head", "and before that")
    assert ids(r)[0] == "job-rep"


def test_a_year_alone_still_follows_the_job_before(engine: ResumeEngine) -> None:
    # "2013" starts by the May 2013 end of the job before it.
    r = ask(engine, "what did she do after whitby")
    assert ids(r)[0] == "job-rep"


def test_roles_at_one_employer_add_up(engine: ResumeEngine) -> None:
    r = ask(engine, "how long has she been at northlight altogether")
    assert set(ids(r)) == {"job-head", "job-sm"}
    assert "10 years" in r.answer and "since September 2016" in r.answer


def test_longest_stay_counts_an_employer_whole(engine: ResumeEngine) -> None:
    r = ask(engine, "where has she stayed the longest")
    assert set(ids(r)) == {"job-head", "job-sm"}


def test_longest_single_role(engine: ResumeEngine) -> None:
    r = ask(engine, "which single role has she held the longest")
    assert ids(r) == ["job-head"]


def test_a_qualified_first_job(engine: ResumeEngine) -> None:
    # The earliest job is the touring one; the first with "theatre" is the stage manager's.
    r = ask(engine, "what was her first theatre job")
    assert ids(r)[0] == "job-sm"
    assert ask(engine, "what was her first job").items[0].id == "job-tour"


def test_the_biggest_sum_of_money(engine: ResumeEngine) -> None:
    r = ask(engine, "what's the biggest budget she has managed")
    assert ids(r)[0] == "job-head" and "2.4 million" in r.answer


def test_how_long_it_took_is_the_stated_duration(engine: ResumeEngine) -> None:
    r = ask(engine, "did she move the prop store", "how long did it take")
    assert "6 weeks" in r.answer


def test_by_how_much_keeps_the_sentence_talked_about(engine: ResumeEngine) -> None:
    r = ask(engine, "did she cut set build costs", "by how much")
    assert "18%" in r.answer


def test_starting_something_is_what_she_founded(engine: ResumeEngine) -> None:
    r = ask(engine, "what did she do before she became head", "did she start anything there")
    assert "apprenticeship" in r.answer


def test_a_deed_abroad_is_the_sentence_naming_the_place(engine: ResumeEngine) -> None:
    r = ask(engine, "has she toured abroad")
    assert ids(r) == ["job-head"] and "Canada" in r.answer
    assert "40" in ask(engine, "has she toured abroad", "how many shows").answer


def test_other_ways_to_ask_tenure(engine: ResumeEngine) -> None:
    assert "10 years" in ask(engine, "total time at northlight").answer
    assert set(ids(ask(engine, "which company did she spend the most time at"))) == {"job-head", "job-sm"}
    assert ids(ask(engine, "what was her longest stint")) == ["job-head"]
    # A noun after the superlative that is not a job or a time is a size, not a stay.
    assert ask(engine, "what's the longest tour she has been on").intent != "tenure"


def test_a_sum_with_its_currency_after_it_counts(engine: ResumeEngine) -> None:
    resume = Resume.model_validate(
        {
            **RESUME,
            "projects": [
                {
                    "id": "proj-big",
                    "name": "Arena tour",
                    "kind": "work",
                    "highlights": ["A touring show worth 3 million euros in ticket sales."],
                }
            ],
        }
    )
    r = ask(ResumeEngine(resume, today=date(2026, 12, 1)), "what's the biggest budget she has handled")
    # A sum said to be a budget comes before a bigger sum that is not one.
    assert ids(r)[0] == "job-head"
    r = ask(ResumeEngine(resume, today=date(2026, 12, 1)), "what's her most valuable project")
    assert ids(r)[0] == "proj-big"


def test_what_came_next_walks_forward(engine: ResumeEngine) -> None:
    assert ids(ask(engine, "what was her first job", "what came next"))[0] == "job-rep"
    assert ids(ask(engine, "what was her first job", "what did she do next"))[0] == "job-rep"
    assert ids(ask(engine, "what was her first job", "what came next", "and then"))[0] == "job-sm"
    # "then" in a question about the focus is "at that time", not "after".
    r = ask(engine, "what did she do before she became head", "what did she do then")
    assert ids(r)[0] == "job-sm"


def test_the_nth_job_on_the_timeline(engine: ResumeEngine) -> None:
    assert ids(ask(engine, "what was her second job"))[0] == "job-rep"
    assert ids(ask(engine, "her second most recent role"))[0] == "job-sm"
    assert "four" in ask(engine, "what was her fifth job").answer
    # "a second job" is a side job, not the second on the timeline.
    assert ask(engine, "does she have a second job").intent != "timeline"


def test_a_figure_the_focus_lacks_is_found_where_the_resume_states_it(engine: ResumeEngine) -> None:
    # The festival never mentions shows; the one figure of shows is the tour's.
    r = ask(engine, "tell me about the open-air festival", "how many shows")
    assert not r.refused and "40" in r.answer


def test_words_about_one_item_pile_up_over_turns(engine: ResumeEngine) -> None:
    r = ask(engine, "did she cut set build costs", "by how much", "how did she do it")
    assert "18%" in ask(engine, "did she cut set build costs", "by how much").answer
    assert "scenery" in r.answer
