"""Refuse what is not a question about the resume: injections, secrets, harm, off-topic tasks, trivia.

Explicit patterns always refuse ("write me a poem about Jordan" is still a poem). General-knowledge
questions ("capital of France") are refused only when nothing ties them to the resume, so
"Is Jordan based in Lisbon?" and "Does Jordan know Python?" pass while "weather in Lisbon" does not.
Patterns run on text where the person's name is already replaced by "xperson" (see intent.py).
"""

from __future__ import annotations

import re
from typing import Literal

from tools import knowledge
from tools.text import alternation

Reason = Literal["injection", "secret", "harmful", "off_topic"]

_INJECTION = re.compile(
    r"\b(ignore|disregard|forget|override|bypass|skip)\b[^.?!]{0,40}\b(instructions?|prompts?|rules?|"
    r"guidelines|"
    r"guardrails|previous|above|everything|context|programming|restrictions|training|resume|role)\b"
    r"|\bsystem (prompt|message|instructions?)\b|\bhidden (prompt|instructions?)\b"
    r"|\b(you are|you're|you are going to be) (now|no longer|free|an? unrestricted|dan)\b"
    r"|^\s*(please )?(act|behave|respond|answer) (as|like) (if|a|an|my|the)\b"
    r"|\byou (will |must |should |shall |can )?(now )?(act|behave|pretend|roleplay) (as|like|to be)\b"
    r"|\bpretend (to be|you|that you)\b|\brole.?play\b|\bjailbreak\w*\b|\bdo anything now\b|\bdan\b"
    r"|\b(developer|god|debug|admin|sudo|unrestricted|evil) mode\b"
    r"|\b(reveal|show|print|repeat|output|leak|dump|display|share|tell me|what (are|is|were)) (me )?(your|"
    r"the) "
    r"(initial |original |hidden |secret |internal |full )?(instructions|prompt|rules|system|configuration|"
    r"guidelines|directives|context window)\b"
    r"|\bnew (instructions|rules|persona)\b|\bfrom now on\b|\bno longer (bound|restricted)\b"
    r"|\bwithout (any )?(restrictions|filters|rules|limits)\b|<\|?(system|im_start)|\[inst\]|###\s*(system|"
    r"instruction)"
)
_SECRET = re.compile(
    r"\b(passwords?|passwd|api[ -]?keys?|secret keys?|(access|auth|api|bearer) tokens?|private keys?|"
    r"ssh keys?|"
    r"(login|admin|database|db|aws|server|account) credentials|social security|ssn|credit card|bank (account|"
    r"details)|"
    r"home address|street address|exact address|env(ironment)? variables?|\.env)\b"
)
_HARMFUL = re.compile(
    r"\b(hack(ing)? into|how (can|do|could|would) i hack|hack(ing)? (someone|somebody|xperson'?s?|his|her|"
    r"their|my|your|an?|the) (\w+ )?(account|website|site|server|system|phone|computer|email|e-mail|password|"
    r"wifi|network|database)|malware|ransomware|keylogger|phishing|ddos|bombs?|weapons?|explosives?|poison\w*|"
    r"kill (someone|somebody|a person|people|him|her|them|myself|xperson)|suicide|self.harm|steal\w*|"
    r"stalk\w*|dox\w*|meth|cocaine|illegal drugs|hurt (someone|somebody|xperson|him|her|them))\b"
)
_OFF_TOPIC = re.compile(
    r"\b(temperature (outside|today|tomorrow)|poems?|poetry|haiku|limerick|sonnet|songs?|lyrics|"
    r"jokes?|"
    r"riddles?|recipes?|slogans?|taglines?|catchphrases?|jingles?|ad copy|"
    r"bedtime story|fairy tale|horoscope|lottery|(bars?|cafes?|"
    r"coffee shops?|hotels?) (near|in|around)|translate|tell me a story|sing|"
    r"(do|with|write|finish) (my |our )?homework|my assignment)\b"
    r"|(^|\b(can|could|would|will) you |\bplease |\bhelp me |\bi (need|want) you to |\byou to )(write|"
    r"generate|"
    r"create|draft|compose|code|implement|solve|build)\b[^.?!]{0,50}\b(code|script|program|function|class|"
    r"essay|"
    r"email|letter|story|poem|song|tweet|post|query|regex|algorithm|sort|app|website|game)\b"
    r"|\b\d+\s*(\+|\*|/|plus|minus|times|divided by|multiplied by|x)\s*\d+\b|\bwhat('s|"
    r" is) \d+\s*-\s*\d+\s*\??$"
    r"|\b(square root|equation|integral|derivative)\b"
)
# Trivia: refused only when nothing in the question points at the resume ("the weather in Lyon" is
# trivia, "has she flown in bad weather" a question about her).
_GENERAL = re.compile(
    r"\b(who (won|wins|will win|is winning)|"
    r"capital of|president|prime minister|stock (price|market)|bitcoin|crypto\w*|movies?|films?|tv shows?|"
    r"netflix|football|soccer|basketball|baseball|nba|nfl|world cup|olympics|news|election|celebrit\w*|"
    r"what time is it|what day is it|meaning of life|how do i (cook|make|fix|get to|lose)|directions to|"
    r"flights?|"
    r"price of|definition of|who invented|who wrote|population|how far is|tallest|largest|biggest city|"
    r"rain(ing|y)?|snow(ing)?|sunny|forecast for|hot outside|cold outside|in the world|"
    # A restaurant to eat at is trivia; "the restaurant he runs" is his job.
    r"restaurants?|places to eat|"
    r"weather)\b"
    r"|\b(safest|cheapest|most popular|best|worst) (\w+ ){1,2}(in|near|around) (the )?\w+"
)
_WHO_VERBS = knowledge.who_verbs()
# "who designed the golden gate bridge": someone else did something (see offtopic.json).
_WHO_DID = re.compile(rf"\bwho ({alternation(_WHO_VERBS)})\b")
# A writing or making task for the asker ("write me a slogan for my shop"): refused unless it is
# about the person ("write me a summary of her experience").
_TASK = re.compile(
    r"^\W*(please |can you |could you |would you )?(write|compose|draft|generate|create|come up with|"
    r"make up|invent|design) (me |us )?(a|an|some|my|our)\b"
)
PERSON_REF = re.compile(
    r"\b(xperson|he|she|they|them|him|his|her|hers|their|theirs|candidate|applicant|this person|the person|"
    r"this guy|this man|this woman|this lady|resume|cv|profile)\b"
)


_PRONOUN_SETS = {
    "he": ("he", "him", "his"),
    "she": ("she", "her", "hers"),
    "they": ("they", "them", "their", "theirs"),
}


def person_ref(pronouns: str | None) -> re.Pattern[str]:
    """Words that mean the person: their name, their own pronouns, "the candidate".

    A pronoun the person does not use points at something else: for a "he", "what language do they
    use?" after his chess club project is about the club.
    """
    own = (pronouns or "they").split("/")[0].strip().lower()
    words = _PRONOUN_SETS.get(own, tuple(w for ws in _PRONOUN_SETS.values() for w in ws))
    alt = "|".join(words)
    return re.compile(rf"\b(xperson|{alt}|candidate|applicant|this person|the person|resume|cv|profile)\b")


def asks_someone_else(text: str) -> bool:
    """ "who designed the golden gate bridge": a deed of someone other than the person."""
    return bool(_WHO_DID.search(text)) and not PERSON_REF.search(text)


def check(text: str, anchored: bool) -> Reason | None:
    """Why `text` (personalised, folded) must be refused, or None. `anchored`: it names resume content."""
    if _INJECTION.search(text):
        return "injection"
    if _SECRET.search(text):
        return "secret"
    if _HARMFUL.search(text):
        return "harmful"
    if _OFF_TOPIC.search(text):
        return "off_topic"
    if (_GENERAL.search(text) or _TASK.search(text)) and not PERSON_REF.search(text):
        return "off_topic"
    if not anchored:
        return "off_topic"
    return None


def refusal(reason: Reason, name: str, possessive: str) -> str:
    first = name.split()[0] if name else "the candidate"
    scope = f"questions about {first}'s resume, like {possessive} experience, projects, skills or education"
    if reason == "injection":
        return f"I can't do that. I'm only here to answer {scope}."
    if reason == "secret":
        return f"I can't share that. I can only talk about what's on {first}'s resume."
    if reason == "harmful":
        return f"I can't help with that. I'm happy to answer {scope}."
    return f"Sorry, I can only answer {scope}."
