"""Mechanisms added for the second blind round (tests/tools/data/unseen2/), each checked on a made-up resume.

The marine biologist below is none of the question sets' resumes: what is tested follows from the
resume's shape (a job in two places, a paper in the employer's own bulletin, a summary that states
its years, two degrees of different levels, a driving licence said only in the profile), not from
any set's words.
"""

from __future__ import annotations

import pytest

from tools.engine import EngineResult, ResumeEngine
from tools.resume_model import Resume
from tools.state import ConversationState

RESUME = {
    "profile": {
        "name": "Rosa Lindqvist",
        "pronouns": "she/her",
        "title": "Senior Marine Biologist",
        "location": "Gothenburg, Sweden",
        "email": "rosa@example.org",
        "summary": "Marine biologist with 10 years of survey and restoration work in Scandinavia and East "
        "Africa. Specialises in seagrass restoration and fisheries monitoring.",
        "work_authorization": "Swedish citizen; full driving licence and a powerboat licence.",
        "availability": "Available from April 2027.",
    },
    "experience": [
        {
            "id": "job-now",
            "company": "Baltic Survey Institute",
            "role": "Senior Marine Biologist",
            "location": "Gothenburg, Sweden",
            "start": "2020-03",
            "end": None,
            "summary": "Leads seagrass surveys for a 300-staff research institute on the west coast.",
            "highlights": [
                "Restored 40 hectares of seagrass meadows with volunteer divers.",
                "Runs a dive team of 5 scientists.",
                "Laid a 2,500-metre seagrass transect off the west coast.",
                "Wrote the monitoring plan that cut survey costs by a fifth.",
                "Ran the consultation when the institute closed its northern field station; all 9 staff "
                "were redeployed.",
            ],
            "team_size": 5,
        },
        {
            "id": "job-kenya",
            "company": "Coastal Reef Trust",
            "role": "Field Biologist",
            "location": "Mombasa, Kenya and Gothenburg, Sweden",
            "start": "2016-01",
            "end": "2020-02",
            "summary": "Ran the reef monitoring programme of a coastal conservation trust.",
            "highlights": [
                "Monitored 12 reefs along a 90-kilometre coastline.",
                "Mapped a 3-kilometre fringing reef for the county's marine park.",
                "Did the habitat mapping for two marine parks from drone photos.",
                "Handled dive permits for 12 survey sites.",
            ],
            "technologies": ["QGIS", "Pix4D"],
        },
        {
            "id": "job-assist",
            "company": "Maritime Museum",
            "role": "Aquarist",
            "location": "Gothenburg, Sweden",
            "start": "2013-06",
            "end": "2015-08",
            "highlights": [
                "Looked after the cold-water tanks and fed the seals.",
                "Assisted with seal dental checks.",
                "Covered the museum's school tours.",
            ],
        },
    ],
    "projects": [
        {
            "id": "proj-turtles",
            "name": "Turtle nesting survey",
            "kind": "volunteer",
            "description": "Three seasons counting nests on beaches in Costa Rica.",
        }
    ],
    "education": [
        {
            "id": "edu-msc",
            "institution": "University of Gothenburg",
            "degree": "MSc Marine Ecology",
            "start": "2014-09",
            "end": "2015-12",
        },
        {
            "id": "edu-ma",
            "institution": "University of Aberdeen",
            "degree": "MA (Hons) Zoology",
            "start": "2009-09",
            "end": "2013-06",
        },
    ],
    "certifications": [
        {"id": "cert-dive", "name": "Divemaster", "issuer": "PADI", "date": "2014-05"},
        {"id": "cert-aquarist", "name": "Aquarist Skills Certificate", "date": "2014-02"},
        {
            "id": "cert-boat",
            "name": "Powerboat Level 2",
            "issuer": "Royal Yachting Association",
            "date": "2021-04",
        },
    ],
    "publications": [
        {
            "id": "pub-bulletin",
            "title": "Counting eelgrass from the air",
            "venue": "Baltic Survey Institute Bulletin",
            "date": "2023-02",
        },
        {
            "id": "pub-book",
            "title": "The Seagrass Year",
            "venue": "Kustlinje Press (book)",
            "date": "2025-09",
        },
    ],
    "skills": {
        "fieldwork": ["scuba surveys", "habitat mapping"],
        "lab": ["eDNA sampling", "microscopy"],
        "animal care": ["dentistry", "feeding"],
    },
}


@pytest.fixture(scope="module")
def bio() -> ResumeEngine:
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


def test_who_is_she_working_for_is_the_current_job(bio: ResumeEngine) -> None:
    (r,) = ask(bio, "who's she working for at the moment")
    assert ids(r) == ["job-now"]


def test_who_is_this_is_the_name(bio: ResumeEngine) -> None:
    (r,) = ask(bio, "who is this")
    assert r.intent == "name" and "Rosa Lindqvist" in r.answer


def test_a_one_line_summary_is_one_sentence(bio: ResumeEngine) -> None:
    (r,) = ask(bio, "give me a one-line summary of her")
    assert r.intent == "summary" and r.answer.count(". ") == 0


@pytest.mark.parametrize(
    "text",
    [
        "has she got kids",
        "has she ever been depressed or had therapy herself",
        "who discovered the great barrier reef",
    ],
)
def test_refused(bio: ResumeEngine, text: str) -> None:
    (r,) = ask(bio, text)
    assert r.refused and not r.items


def test_who_did_a_deed_the_resume_names_is_answered(bio: ResumeEngine) -> None:
    (r,) = ask(bio, "who mapped the fringing reef")
    assert not r.refused and "job-kenya" in ids(r)


def test_a_paper_in_the_employers_bulletin_does_not_hide_the_employer(bio: ResumeEngine) -> None:
    (r,) = ask(bio, "where was she before baltic")
    assert ids(r)[:1] == ["job-kenya"]


def test_either_word_of_an_or_question_may_find_the_item(bio: ResumeEngine) -> None:
    # "museum" is only in a company's name; "zoo" nowhere.
    (r,) = ask(bio, "any museum or zoo experience")
    assert "job-assist" in ids(r)


def test_a_job_in_two_places_is_abroad_by_its_other_place(bio: ResumeEngine) -> None:
    (r,) = ask(bio, "has she worked abroad")
    assert ids(r) == ["job-kenya"] and "Mombasa" in r.answer and "Gothenburg" not in r.answer


def test_volunteering_abroad_is_the_volunteer_project(bio: ResumeEngine) -> None:
    (r,) = ask(bio, "tell me about the volunteering abroad")
    assert ids(r) == ["proj-turtles"]


def test_written_anything_is_the_publications(bio: ResumeEngine) -> None:
    (r,) = ask(bio, "has she written anything")
    assert r.intent == "publications" and set(ids(r)) == {"pub-bulletin", "pub-book"}


def test_a_book_is_the_publication_that_says_book(bio: ResumeEngine) -> None:
    book, when = ask(bio, "has she written a book", "when did it come out")
    assert ids(book) == ["pub-book"] and ids(when) == ["pub-book"] and "2025" in when.answer


def test_a_masters_is_not_a_scottish_ma_honours(bio: ResumeEngine) -> None:
    (r,) = ask(bio, "does she have a masters")
    assert ids(r) == ["edu-msc"]


def test_study_a_subject_is_the_degree_named_after_it(bio: ResumeEngine) -> None:
    subject, first = ask(bio, "where did she study zoology", "and what was her first degree")
    assert ids(subject) == ["edu-ma"] and ids(first) == ["edu-ma"]


def test_the_most_recent_qualification_may_be_a_certificate(bio: ResumeEngine) -> None:
    (r,) = ask(bio, "whats her most recent qualification")
    assert ids(r) == ["cert-boat"]


def test_years_in_the_profession_the_summary_states_are_its_figure(bio: ResumeEngine) -> None:
    # The dates give about six years as a marine biologist; her summary says ten.
    (r,) = ask(bio, "how many years has she been a marine biologist")
    assert "10 years" in r.answer


def test_a_capability_only_the_profile_states(bio: ResumeEngine) -> None:
    (r,) = ask(bio, "can she drive")
    assert "driving licence" in r.answer and not r.refused


def test_training_means_the_certificates(bio: ResumeEngine) -> None:
    (r,) = ask(bio, "what training has she had")
    assert set(ids(r)) == {"cert-dive", "cert-boat", "cert-aquarist"}


def test_a_qualified_profession_is_the_degree_that_makes_one(bio: ResumeEngine) -> None:
    (r,) = ask(bio, "is she a qualified marine ecologist")
    assert ids(r) == ["edu-msc"]


def test_before_she_qualified_is_before_her_last_degree_ended(bio: ResumeEngine) -> None:
    (r,) = ask(bio, "what did she do before she qualified")
    assert ids(r) == ["job-assist"]


def test_a_skill_no_item_tags_is_found_by_a_related_word(bio: ResumeEngine) -> None:
    (r,) = ask(bio, "does she do dentistry")
    assert "job-assist" in ids(r)


def test_a_light_verb_does_not_pick_the_item_that_uses_it(bio: ResumeEngine) -> None:
    (r,) = ask(bio, "has she handled redundancies")
    assert ids(r)[:1] == ["job-now"]


def test_tools_for_a_skill_are_those_of_the_item_that_shows_it(bio: ResumeEngine) -> None:
    (r,) = ask(bio, "which habitat mapping tools has she used")
    assert "job-kenya" in ids(r) and "QGIS" in r.answer


def test_the_longest_is_the_greatest_length_the_resume_states(bio: ResumeEngine) -> None:
    # 90 kilometres beats 2,500 metres and a 3-kilometre reef, whatever the bare numbers say.
    (r,) = ask(bio, "what's the longest stretch of coast she has surveyed")
    assert ids(r) == ["job-kenya"] and "90-kilometre" in r.answer


def test_the_size_of_the_employer_is_its_headcount_not_her_team(bio: ResumeEngine) -> None:
    org, team = (
        ask(bio, "how many people does the institute she works for have"),
        ask(bio, "how big is her team"),
    )
    assert ids(org[0]) == ["job-now"] and "300-staff" in org[0].answer
    assert "300" not in team[0].answer and "5" in team[0].answer


def test_an_employer_whose_size_the_resume_does_not_state(bio: ResumeEngine) -> None:
    (r,) = ask(bio, "how big is coastal reef trust")
    assert "doesn't give the size" in r.answer and ids(r) == ["job-kenya"]


def test_what_is_x_like_adds_the_highlight_that_sizes_it(bio: ResumeEngine) -> None:
    (r,) = ask(bio, "what was her monitoring programme like")
    assert ids(r)[:1] == ["job-kenya"] and "12 reefs" in r.answer


def test_an_either_or_question_gets_each_side_without_a_verdict(bio: ResumeEngine) -> None:
    (r,) = ask(bio, "is she a diver or more lab")
    assert "doesn't weigh" in r.answer and "job-now" in ids(r)
    assert "divers" in r.answer and "microscopy" in r.answer


def test_a_present_question_a_past_job_answers_yields_to_the_summary(bio: ResumeEngine) -> None:
    # Only the old museum job "covered" anything; what she covers now is her specialism.
    (r,) = ask(bio, "what does she cover")
    assert "seagrass restoration" in r.answer


MIDWIFE = {
    "profile": {"name": "Nadia Osei", "pronouns": "she/her", "title": "Midwife", "summary": "Midwife."},
    "experience": [
        {
            "id": "job-ward",
            "company": "Northgate Hospital",
            "role": "Midwife",
            "start": "2016-10",
            "end": None,
            "summary": "Labour ward midwife in a 600-bed teaching hospital.",
            "highlights": ["Delivered over 400 babies."],
        },
        {
            "id": "job-hca",
            "company": "Riverside Care Home",
            "role": "Care Assistant",
            "start": "2013-09",
            "end": "2016-06",
            "highlights": ["Weekend shifts while studying."],
        },
    ],
    "education": [
        {"id": "edu-bsc", "institution": "City University", "degree": "BSc Midwifery", "end": "2016-06"},
        {
            "id": "edu-pgcert",
            "institution": "City University",
            "degree": "PgCert Perinatal Mental Health",
            "end": "2021-06",
        },
    ],
    "certifications": [{"id": "cert-nmc", "name": "Registered Midwife", "issuer": "NMC", "date": "2016-09"}],
}


@pytest.fixture(scope="module")
def midwife() -> ResumeEngine:
    return ResumeEngine(Resume.model_validate(MIDWIFE))


def test_qualifying_is_the_registration_when_there_is_one(midwife: ResumeEngine) -> None:
    # Her last degree ended in 2021, long after she registered in 2016 and started on the ward.
    (r,) = ask(midwife, "what did she do before she qualified")
    assert ids(r) == ["job-hca"]


def test_the_workplace_she_works_at_is_not_a_restaurant_tip(midwife: ResumeEngine) -> None:
    size, tip = ask(midwife, "how big is the hospital she works at"), ask(midwife, "recommend a restaurant")
    assert "600-bed" in size[0].answer and not size[0].refused and tip[0].refused


def test_a_job_title_word_in_a_course_name_does_not_name_the_course(bio: ResumeEngine) -> None:
    # "Aquarist" is her old job's title and a word of a certificate's name: the question is the job.
    (r,) = ask(bio, "how long was she an aquarist")
    assert ids(r) == ["job-assist"]


def test_a_hyphenated_topic_the_resume_lacks_lists_the_publications(bio: ResumeEngine) -> None:
    # "dive-teams" is also searched glued ("diveteam"), a stem no word of the question spells:
    # there is nothing to quote as missing, so the answer is the publications themselves.
    (r,) = ask(bio, "has she written anything on dive-teams")
    assert r.intent == "publications" and set(ids(r)) == {"pub-bulletin", "pub-book"}
    assert "doesn't list" not in r.answer


def test_a_fragment_of_a_hyphenated_word_is_not_quoted_as_missing() -> None:
    # Papers only: "e-books" is not a book the resume lacks, and "books" is not what was asked.
    papers = {"profile": RESUME["profile"], "publications": list(RESUME["publications"])[:1]}
    (r,) = ask(ResumeEngine(Resume.model_validate(papers)), "has she written any e-books")
    assert r.intent == "publications" and ids(r) == ["pub-bulletin"]
    assert "doesn't list a books" not in r.answer


def test_no_longer_is_not_a_size_superlative(bio: ResumeEngine) -> None:
    # "longer" is a comparative; "no longer diving" asks about the present, not the longest figure.
    (r,) = ask(bio, "is she no longer diving")
    assert r.intent != "superlative" and "90-kilometre" not in r.answer
