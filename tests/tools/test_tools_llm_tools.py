from __future__ import annotations

import json
from typing import Any

import pytest

from tools.engine import ResumeEngine
from tools.llm_tools import TOOL_SCHEMAS, ResumeToolbox, items_from_tool_result, system_prompt
from tools.resume_model import Resume


@pytest.fixture(scope="module")
def box(engine: ResumeEngine) -> ResumeToolbox:
    return ResumeToolbox(engine)


def test_schemas_are_openai_function_tools() -> None:
    names = []
    for tool in TOOL_SCHEMAS:
        assert tool["type"] == "function"
        fn = tool["function"]
        assert set(fn) == {"name", "description", "parameters"}
        assert fn["parameters"]["type"] == "object"
        names.append(fn["name"])
    assert names == ["search_resume", "get_item", "get_profile"]
    props = TOOL_SCHEMAS[0]["function"]["parameters"]["properties"]
    assert set(props) == {"technology", "company", "kind", "date_from", "date_to", "text"}
    json.dumps(TOOL_SCHEMAS)


def ids(result: dict[str, Any]) -> list[str]:
    return items_from_tool_result(result)


def test_search_by_technology_alias_and_kind(box: ResumeToolbox) -> None:
    assert ids(box.call("search_resume", {"technology": "k8s", "kind": "project"})) == [
        "proj-sipbridge",
        "proj-homelab",
    ]
    assert ids(box.call("search_resume", {"technology": "rust", "kind": "open-source"})) == [
        "proj-rust-jitter"
    ]


def test_search_by_company_dates_and_text(box: ResumeToolbox) -> None:
    assert ids(box.call("search_resume", {"company": "northwind"})) == [
        "exp-northwind",
        "proj-featurestore",
        "proj-forecast",
    ]
    found = ids(box.call("search_resume", {"kind": "project", "date_from": "2019", "date_to": "2021"}))
    assert {"proj-featurestore", "proj-forecast"} <= set(found) and "proj-turnkit" not in found
    assert ids(box.call("search_resume", {"text": "mentoring"})) == ["exp-sonora"]


def test_search_results_carry_short_facts(box: ResumeToolbox) -> None:
    (item,) = box.call("search_resume", {"technology": "scala", "kind": "project"})["items"]
    assert item["id"] == "proj-featurestore" and item["dates"] == "September 2019 to April 2021"
    assert item["employer"] == "Northwind Analytics" and "Scala" in item["technologies"]


def test_missing_technology_is_a_note_not_an_error(box: ResumeToolbox) -> None:
    result = box.call("search_resume", {"technology": "Java"})
    assert result["count"] == 0 and "doesn't mention Java" in result["note"] and "Scala" in result["note"]


def test_get_item_and_profile(box: ResumeToolbox) -> None:
    item = box.call("get_item", {"id": "proj-turnkit"})
    assert ids(item) == ["proj-turnkit"] and "1,900 GitHub stars" in json.dumps(item)
    assert box.call("get_profile", {"field": "email"}) == {
        "field": "email",
        "value": "jordan.reyes@example.com",
    }
    assert box.call("get_profile", {"field": "phone"})["value"] is None
    assert "skills" in box.call("get_profile", {"field": "all"})["value"]


@pytest.mark.parametrize(
    ("name", "arguments"),
    [
        ("nope", {}),
        ("search_resume", {"bogus": "x"}),
        ("search_resume", {"technology": 3}),
        ("search_resume", {"kind": "hobby"}),
        ("search_resume", {"date_from": "20x"}),
        ("get_item", {}),
        ("get_item", {"id": "missing"}),
        ("get_profile", {"field": "salary"}),
    ],
)
def test_bad_calls_return_errors(box: ResumeToolbox, name: str, arguments: dict[str, Any]) -> None:
    result = box.call(name, arguments)
    assert set(result) == {"error"} and isinstance(result["error"], str)


def test_non_dict_arguments_are_an_error(box: ResumeToolbox) -> None:
    assert "error" in box.call("get_item", ["proj-turnkit"])  # type: ignore[arg-type]
    assert "error" not in box.call("get_profile", {"field": "name"})


def test_items_from_tool_result_dedupes() -> None:
    assert items_from_tool_result({"items": [{"id": "a"}, {"id": "a"}, {"x": 1}], "item": {"id": "b"}}) == [
        "a",
        "b",
    ]
    assert items_from_tool_result({"error": "x"}) == []


def test_system_prompt_names_the_owner(sample: Resume, second: Resume) -> None:
    text = system_prompt(sample)
    assert "Jordan Reyes" in text and "search_resume" in text and "{" not in text
    assert "she/her" in system_prompt(second)


def test_toolbox_works_on_another_resume(second_engine: ResumeEngine) -> None:
    box = ResumeToolbox(second_engine)
    assert ids(box.call("search_resume", {"technology": "golang"})) == ["p-terrastack"]
    assert ids(box.call("search_resume", {"kind": "research"})) == ["p-transit"]
