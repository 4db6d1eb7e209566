"""What is being asked: topic flags, item kind, project kind and skill category of an utterance.

Patterns run on the folded text with the person's name replaced by "xperson", so "Jordan's",
"their" and "the candidate" all look alike and the rules stay resume-agnostic. Everything is compiled
once; `detect` only runs searches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tools import knowledge, personal
from tools.resume_model import Resume
from tools.text import Utterance, fold, tokens

P = (
    r"(?:xperson|he|she|they|them|him|her|the candidate|this candidate|the applicant|this person|the person|"
    r"this (?:guy|man|woman|lady|chap))"
)
POSS = r"(?:xperson'?s?|his|her|their|the candidate'?s)"
# Only the subject forms: "is she chartered", "before he qualified" (P also matches objects, "him").
SUBJECT = r"(?:xperson|he|she|they|the candidate)"

_TOPICS: dict[str, str] = {
    "contact": rf"\b(contact\w*|reach (out|{P})|get in touch|e-?mails?|phone numbers?|phone no|{POSS} (phone|"
    rf"cell|mobile)"
    rf"|call {P}|cell number|mobile number|telephone number|"
    rf"^(and |what about )?(the |a )?(phone|telephone|mobile|cell|e-?mail)( number| address)?(?=\W*$))\b",
    "links": r"\b(linkedin|linked in|github|git hub|websites?|web site|portfolio|personal (site|page)|"
    r"homepage|"
    r"home page|blog|twitter|social media|online (profile|presence)|urls?|links?)\b",
    "location": rf"\b(where (is|are|does|do) {P} (live|living|based|located|from|reside)|where (is|"
    rf"are) {P}\s*\??$|"
    rf"lives?|living|based(?! on)|located|location|relocat\w*|remote(ly)?|time ?zones?|(which|what) (city|"
    rf"country)|"
    rf"home ?town|where .*\bfrom\b|resid(e|es|ing)|commut\w*|on.?site|hybrid|in.?office|move to)\b",
    "availability": rf"\b(availab\w+|start date|notice( period)?|when (can|could|would) {P} (start|join|"
    rf"begin)|"
    rf"(can|could) {P} start|how soon|free to (start|join)|open to (new )?(roles|opportunities|offers|work)|"
    rf"looking for (a )?(new )?(job|role|work|opportunit\w+)|job (hunting|searching|search)|on the market|"
    rf"actively looking|interested in (a )?(new )?(roles?|jobs?|positions?)|start (a new|the) (job|role)|"
    rf"when .*\bstart\b.*\?*$)\b",
    "work_auth": r"\b(visas?|sponsor\w*|work(ing)? (authori[sz]ation|permits?|rights)|authori[sz]ed to work|"
    r"right to work|citizen\w*|green card|eligible to work|legally (work|allowed)|immigration|h-?1b|o-?1|"
    r"residency|permanent resident|passport|nationality|work in the (us|usa|uk|eu|united states|states)|"
    r"(can|could|is) (xperson|he|she|they) (legally |allowed to |able to )?work (in|from)"
    r"(?! (a|an|the|teams?)\b))\b",
    "spoken": r"\b(speaks?(?! (at|on|publicly|in public)\b)|spoken(?! (at|anywhere|publicly|in public|on)\b)|"
    r"fluent\w*|fluency|bilingual|trilingual|multilingual|native (language|"
    r"speaker)|"
    r"mother tongue|(human|foreign|natural) languages?)\b",
    "prog_languages": r"\b((programming|coding|computer|software) languages?|languages? .*\b(code|coding|"
    r"program\w*|"
    r"write|develop\w*)|(code|program|develop|write software) in)\b",
    "languages": r"\blanguages?\b",
    "summary": rf"\b(summar\w+|sum (up|{P} up)|"
    rf"background|overview|bio|biography|introduc\w+|elevator pitch|nutshell|who('s|"
    rf" is) {P}|"
    rf"tell me about {P}\s*[.?!]*$|about {P}\s*[.?!]*$|describe {P}|what kind of (engineer|developer|person|"
    rf"professional)|what does {P} do for a living|{POSS} (profession|specialty|specialization|focus|"
    rf"headline|"
    rf"strengths?|expertise)|speciali[sz]\w*|strengths?|profile|pitch|sell me|why (should|would) (we|i) hire|"
    rf"good fit|qualified|should (we|i) hire|worth (hiring|interviewing)|what makes {P}|tl ?;? ?dr|"
    rf"main focus|area of expertise|(one|a|two|three|few|couple of) (sentences?|lines?|words) (on|about|for|"
    rf"describing) {P}|in (one|a|two|three|a few) (sentences?|lines?|words))\b",
    "years": rf"\b(how (many|much) years|years of (experience|work|professional)|how long (has|"
    rf"have) {P} been "
    rf"(working|in|an?|coding|programming|doing|an engineer|in the industry|in tech)|how experienced|"
    rf"how senior|"
    rf"seniority|experience level|level of experience)\b",
    "title": rf"\b(job title|titles?|ranks?|{POSS} position|occupation|profession|what (is|"
    rf"does|are|do) {P} do\s*[.?!]*$)\b",
    "current_role": rf"\b(where (does|do) {P} (currently )?work|who (does|do) {P} (currently )?work for|"
    rf"where (is|are) {P} (currently )?(working|employed|at)|(what|which) company (is|are) {P}|"
    rf"(what|which) company does {P} work|{POSS} (current )?(employer|company|job|role)\b(?! at)|"
    rf"(what|where) (is|are|does|do) {P} (do|doing|work|working)\s*"
    rf"(now|currently|these days|right now|today)|"
    rf"currently (do|doing|work|working|employed)|current (employer|company|job|role|position|gig)|"
    rf"(job|role|title|position|employer) (now|today|right now|currently|at the moment)|day job|"
    rf"employed (by|at|with)|who employs {P}|"
    rf"(who|what company)('?s| is| are|'re) {P} (currently )?(working for|with)|"
    rf"where (is|are) {P} (currently )?\w+ing (now|currently|at the moment|these days|right now|today)|"
    rf"where (does|do) {P} (currently )?\w+ (now|these days|at the moment|right now|today))\b",
    "current": r"\b(current(ly)?|now|right now|these days|at the moment|today|present(ly)?|nowadays)\b",
    "work": rf"\b(work history|employment( history)?|career|jobs?|employers?|compan(y|ies)|worked|where (has|"
    rf"have|did) "
    rf"{P} (work|been)|roles?|positions?|professional experience|work experience|experience|workplaces?)\b",
    "education": rf"\b(where (did|does) {P} (train|qualify)|(trained|qualified) as an?|"
    r"educat\w*|degrees?|stud(y|ied|ies|ying)|universit\w*|college|school\w*|graduat\w*|"
    r"masters?|"
    r"master's|bachelors?|bachelor's|msc|bsc|b\.?sc|m\.?sc|phd|ph\.?d|doctorate|thesis|dissertation|"
    r"academic\w*|"
    r"majored|major in|alma mater|diploma|qualifications?|undergrad\w*|postgrad\w*)\b",
    "certifications": r"\b(certif\w*|certs?|credentials?|(?<!driver's )(?<!drivers )licen[cs]\w*|accredit\w*|"
    r"registrations?|registered with|tickets|admitted (to|in)|bar admissions?|(which|what) bars?)\b",
    "awards": r"\b(awards?|awarded|prizes?|won|win|wins|winning|honou?rs|recogni[sz]\w*|accolades?|"
    r"achievements?|"
    r"speaker|talks?|spoke|public speaking|speaking|conferences?|keynotes?|presented|presentations?)\b",
    "publications": r"\b(publish\w*|publications?|papers?|articles?|research|journals?|peer.reviewed|"
    r"proceedings|"
    r"authored|co-?authored)\b",
    "skills": r"\b(skills?|skillset|skill set|tech(nical)? stack|stack|technolog\w*|tools?|tooling|"
    r"frameworks?|"
    r"libraries|databases?|cloud|devops|infra\w*|competenc\w*|proficien\w*|good at|best at|toolbox|tech|"
    r"equipment|gear|instruments)\b",
    "projects": rf"\b(projects?|side projects?|open.?source|hackathons?|repos?|repositor\w*|built|build|"
    rf"builds|"
    rf"building|created|made|things {P} (built|made))\b",
    "leadership": r"\b(manag(e|ed|es|ing|er|ers|ement)|lead|leads|led|leader\w*|mentor\w*|supervis\w*|"
    r"coach\w*|"
    r"direct reports?|reports to|people manage\w*|team lead|tech lead|hired|hiring|grow(ing)? (the|"
    r"a) team)\b",
    "team_size": rf"\b(team size|size of (the|{POSS}) team|how (big|large|small) (was|is|were) (the|{POSS}) "
    rf"teams?|how many (people|engineers|developers|members|reports|direct reports|staff)|team of|"
    rf"(big|large|small|largest|biggest|smallest) team|teams? sizes?)\b",
    "dates": r"\b(when|how long|what year|which year|what dates?|dates?|duration|timeline|time ?frame|tenure|"
    # "did he start anything there" asks what he founded, not when.
    r"start(ed)?(?! (anything|something|any|an?|new|(his|her|their) own)\b)|end(ed)?|finish(ed)?|leave|left|"
    r"join(ed)?|still (there|active|working|going|ongoing|"
    r"maintained)|"
    r"ongoing)\b",
    "item_tech": r"\b(technolog\w*|tech( stack)?|stack|tools?|tooling|languages?|frameworks?|libraries|"
    r"software|systems|platforms|equipment|gear|"
    r"built (with|in|on|using)|written in|implemented in|made with|use[ds]?|using)\b",
    "metric": r"\b(how (many|much|fast|big|large|quick|well|often|reliable)|percent\w*|stars?|throughput|"
    r"latency|"
    r"scale[ds]?|users?|customers?|calls?|requests?|lookups?|uptime|numbers?|metrics?|impact|results?|"
    r"outcomes?|achiev\w*|accomplish\w*|improv\w*|reduc\w*|cut|faster|speed\w*|sav(e|ed|ings)|cost|"
    r"performance|growth|volume|accuracy|error)\b",
    "why_unknown": rf"\b(why (did|does|do|would|was|is) {P} (leave|left|quit|join|switch|move|change|choose|"
    rf"chose|"
    rf"stop|go)|reasons? (for|to|why) (leav|left|join|switch|mov)\w*|why .* (leave|left|quit))\b",
    "employer_q": r"\b((which|what) (company|employer|firm|organi[sz]ation)|who (was|is) (it|that|this) for|"
    r"for whom|"
    r"where was (it|that|this) (built|done|made|developed)|for (which|what) (company|employer)|"
    r"at which company)\b",
    "link_q": r"\b(link|url|repo|repository|source code|where can i (find|see|get)|on github|github (page|"
    r"link|url|repo))\b",
    "where": r"\bwhere\b",
    "details": rf"\b(tell me (more )?about|more (about|on|details?|info)|what (is|was|are|were)|describe|"
    rf"explain|"
    rf"details?|elaborate|what did {P} do|what {P} did|responsibilit\w+|duties|walk me through|go deeper|"
    rf"dig deeper|tell me more|what was {POSS} role|work(ed)? on)\b",
    "interests": r"\b(hobb\w+|interests?|free time|spare time|outside (of )?work|for fun|passions?|"
    r"personal life|"
    r"weekends?|pastimes?|off hours|when not working)\b",
    "preference": rf"\b((does|do|did) {P} (like|love|enjoy|hate|dislike|prefer)|what do(es)? {P} think|"
    rf"{P} (likes?|loves?|enjoys?|hates?)|"
    rf"favou?rite (color|colour|food|movie|book|city|sport|music|band|place))\b",
    "pronouns": rf"\b(pronouns?|(is|are) {P} (a )?(man|woman|male|female|guy|girl|non.?binary)|how (do|"
    rf"should) "
    rf"(i|we) (refer to|address))\b",
    "name": rf"\b(what('?s| is) (the )?(candidate'?s|person'?s|{POSS}|full) (full )?name|who is this (resume|"
    rf"cv|profile)"
    rf"( about| for)?|whose (resume|cv|profile)|first name|last name|surname|full name|{P} called|"
    rf"name (on|of|at the top of) (this|the) (resume|cv|profile)|who (is|was) (this|the) (resume|cv) (of|by)|"
    rf"who wrote (this|the) (resume|cv)|who (are|am) (we|i) (talking|asking) about|"
    rf"^\W*(so |and |ok |okay )?who('?s| is) (this|that)( person| candidate| applicant)?\s*[?.!]*$)\b",
    "greeting": r"^\s*(hi|hello|hey|hiya|yo|good (morning|afternoon|evening)|greetings|howdy)\b",
    "thanks": r"\b(thanks|thank you|thx|cheers|much appreciated|appreciate it)\b",
    "bye": r"\b(bye|goodbye|good bye|see you|that'?s all|that is all|no more questions|i'?m done|"
    r"have a (good|nice) "
    r"(day|one))\b",
    "help": r"\b(what can (you|i) (do|ask)|what do you (do|know)|how does this work|who are you|what are you|"
    r"your name|are you (a )?(bot|robot|human|ai|real|person)|"
    r"^help|help me|what should i ask|what kind of questions|what can you tell me)\b",
    "smalltalk": r"\b(how are you|how'?s it going|how is it going|how are things|what'?s up|nice to meet you|"
    r"how do you do)\b",
    "ack": r"^\s*(ok|okay|great|cool|nice|got it|i see|alright|sure|yes|no|yeah|yep|nope|interesting|awesome|"
    r"perfect|good|wow|hmm+)\s*[.!]*\s*$",
}
# "has she written anything", "have they written a book": the data file's further ways to ask for papers.
_MORE_PUBLICATIONS = [p.replace("{P}", P) for p in knowledge.publications_asked()[0]]
_TOPICS["publications"] = "|".join([_TOPICS["publications"], *_MORE_PUBLICATIONS])
_MORE_CERTIFICATIONS = [p.replace("{P}", P) for p in knowledge.certifications_asked()[0]]
_TOPICS["certifications"] = "|".join([_TOPICS["certifications"], *_MORE_CERTIFICATIONS])
_COMPILED = {k: re.compile(v) for k, v in _TOPICS.items()} | {"unknown_personal": personal.ANY_RE}

_KIND_RE: dict[str, re.Pattern[str]] = {
    "project": re.compile(
        rf"\b(projects?|side projects?|repos?|repositor\w*|hackathons?|open.?source|"
        rf"what (has|did|have) {P} (build|built|make|made|create|created)|things {P} (built|made))\b"
    ),
    "experience": re.compile(
        rf"\b(jobs?|compan(y|ies)|employers?|roles?|positions?|career|employment|work history|"
        rf"workplaces?|firms?|organi[sz]ations?|where (has|have|did|does) {P} (work|worked)|"
        rf"(which|what) \w+s (has|have|did) {P} (\w+ )?(for|at)\s*\??$|"
        rf"worked (at|for)|(professional|work) experience|gigs?)\b"
    ),
}
_SKILL_TOPICS = frozenset({"skills", "prog_languages", "languages", "item_tech"})
_NORM_TOKEN_RE = re.compile(r"[a-z0-9]+[+#]*")  # the tokeniser of text.Utterance, on folded text
_PAPER_RE = re.compile(r"\b(publish\w*|publications?|papers?|articles?|journals?|proceedings|authored)\b")
_PLURAL_RE = re.compile(
    r"\b(jobs|companies|employers|roles|positions|projects|firms|places|ones|items|things|"
    r"certifications|awards|papers|degrees|all|which)\b"
)


@dataclass(frozen=True)
class Detected:
    topics: frozenset[str]
    kind: str | None  # "experience" / "project" / section name
    plural: bool
    project_kind: str | None
    category: str | None
    text: str  # normalised text with the person replaced by "xperson"


class IntentDetector:
    def __init__(self, resume: Resume) -> None:
        names = [t for t in tokens(resume.profile.name) if len(t) > 1]
        alt = "|".join(
            sorted({re.escape(n) for n in names} | {re.escape("".join(names))}, key=len, reverse=True)
        )
        self._person_re = re.compile(rf"\b({alt})(?:\s+({alt}))*\b") if alt else None
        self._project_kinds: dict[str, re.Pattern[str]] = {}
        for kind in dict.fromkeys(p.kind for p in resume.projects):
            words = knowledge.project_kinds().get(fold(kind), re.escape(fold(kind)).replace(r"\-", "[ -]?"))
            self._project_kinds[kind] = re.compile(rf"\b({words})\b")
        # (category, its phrases, its own names: "teaching and outreach", "teaching outreach")
        self._categories: list[tuple[str, re.Pattern[str], frozenset[str]]] = []
        full_names: set[str] = set()
        for cat in resume.skills:
            said = [p for p in re.split(r"[_\s/&-]+", fold(cat)) if p]
            parts = [p for p in said if p != "and"]
            own = frozenset({" ".join(said), " ".join(parts)})
            if len(said) > 1:
                full_names.add(" ".join(said))
            phrases: set[str] = set(own)
            for p in parts:
                phrases.add(p)
                phrases.update(knowledge.category_words().get(p, ()))
            alt_c = "|".join(sorted((re.escape(x) for x in phrases), key=len, reverse=True))
            self._categories.append((cat, re.compile(rf"\b({alt_c})\b"), own))
        # A category's whole name of two words or more ("practice management") names that list: its
        # words raise no topic of their own (not leadership for "management").
        alt_n = "|".join(sorted(map(re.escape, full_names), key=len, reverse=True))
        self._category_names = re.compile(rf"\b({alt_n})\b") if full_names else None

    def personalise(self, utt: Utterance, masked: frozenset[int] = frozenset()) -> str:
        """Folded text with the person as "xperson" and `masked` token positions as "xitem".

        Masking an item's own name keeps its words out of topic detection: "the *latency* dashboard
        project" is not a question about latency, "the *availability* forecaster" not one about
        availability.
        """
        text = utt.norm
        if masked:
            spans = [m.span() for m in _NORM_TOKEN_RE.finditer(text)]
            if len(spans) == len(utt.toks):
                for i in sorted(masked, reverse=True):
                    if 0 <= i < len(spans):
                        text = text[: spans[i][0]] + "xitem" + text[spans[i][1] :]
        return self._person_re.sub("xperson", text) if self._person_re else text

    def detect(self, utt: Utterance, masked: frozenset[int] = frozenset()) -> Detected:
        text = self.personalise(utt, masked)
        topics = frozenset(k for k, rx in _COMPILED.items() if rx.search(text))
        plain = self._category_names.sub("xcategory", text) if self._category_names else text
        if plain != text:
            # A skill list's name still asks for skills ("programming languages"), nothing else.
            topics = (topics & _SKILL_TOPICS) | {k for k, rx in _COMPILED.items() if rx.search(plain)}
        kind: str | None = None
        for k in ("project", "experience"):
            if _KIND_RE[k].search(text):
                kind = k
                break
        for section, kname in (
            ("education", "education"),
            ("certifications", "certification"),
            ("publications", "publication"),
        ):
            if kind is None and section in topics:
                kind = kname
        project_kind = next((k for k, rx in self._project_kinds.items() if rx.search(text)), None)
        # "any research?" with research *projects* on the resume means those, unless papers are explicit.
        # "at work" alone means jobs and work projects alike, so it does not force the project kind.
        if project_kind not in (None, "work") and (
            kind is None or (kind == "publication" and not _PAPER_RE.search(text))
        ):
            kind = "project"
            topics = topics - {"publications"}
        category = self.category(text)
        return Detected(topics, kind, bool(_PLURAL_RE.search(text)), project_kind, category, text)

    def category(self, text: str) -> str | None:
        """The skill category the text names by the longest phrase; on a tie, by its own name ("patient
        care" is that category, not "clinical", which people also call patient care)."""
        best: tuple[int, bool, str] | None = None
        for cat, rx, own in self._categories:
            m = rx.search(text)
            if m is None:
                continue
            key = (len(m.group(0)), m.group(0) in own)
            if best is None or key > best[:2]:
                best = (*key, cat)
        return best[2] if best else None

    @staticmethod
    def triggers(text: str, topic: str) -> list[str]:
        """The words of `text` that raised `topic` ("schools" for education)."""
        rx = _COMPILED.get(topic)
        return [m.group(0) for m in rx.finditer(text)] if rx else []

    @staticmethod
    def has(text: str, topic: str) -> bool:
        return bool(_COMPILED[topic].search(text))
