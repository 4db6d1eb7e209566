"""Technology names: canonical spellings come from the resume, aliases from a generic table.

A query mentions "postgres", "k8s" or "pie torch"; the resume says "PostgreSQL", "Kubernetes",
"PyTorch". Generic entries also let us recognise technologies the resume *lacks* ("Java"), so the
engine can say "the resume doesn't mention Java" instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass

from tools.lexicon import COMMON_WORDS
from tools.resume_model import Resume
from tools.text import STOPWORDS, FuzzyIndex, Utterance, tech_key, words

# (display name, aliases). Aliases are keyed with spaces removed, so "post gress" == "postgress".
GENERIC_TECH: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Kubernetes", ("k8s", "kube", "kubernetis", "kubernets", "cooper netes", "cuber netes")),
    ("k3s", ("k three s", "k3", "k 3 s")),
    ("Go", ("golang", "go lang")),
    ("PostgreSQL", ("postgres", "postgre", "postgress", "post gress", "postgre sql", "psql", "postgressql")),
    ("PostGIS", ("post gis",)),
    ("MySQL", ("my sql", "my sequel")),
    ("SQL", ("sequel",)),
    ("SQLite", ("sqlite3",)),
    ("PyTorch", ("pie torch", "py torch", "torch", "pytorch lightning")),
    ("TensorFlow", ("tensor flow", "tf2")),
    ("Keras", ()),
    ("JAX", ()),
    ("scikit-learn", ("sklearn", "sk learn", "scikit", "psychic learn", "sci kit learn")),
    ("NumPy", ("num py", "numpie")),
    ("pandas", ()),
    ("JavaScript", ("js", "java script", "ecmascript")),
    ("TypeScript", ("ts", "type script")),
    ("Node.js", ("node", "nodejs", "node js")),
    ("React", ("reactjs", "react js", "react native")),
    ("Angular", ("angularjs",)),
    ("Vue", ("vuejs", "vue js")),
    ("Apache Kafka", ("kafka", "kafka streams", "cafca", "kavka")),
    ("Apache Spark", ("spark", "pyspark", "py spark")),
    ("Apache Flink", ("flink",)),
    ("Airflow", ("apache airflow", "air flow")),
    ("WebRTC", ("web rtc", "webrtc", "web r t c", "web real time communication")),
    ("SIP", ("session initiation protocol",)),
    ("RTP", ()),
    ("gRPC", ("g rpc", "grpc", "gee rpc")),
    ("GraphQL", ("graph ql",)),
    ("REST", ("rest api", "restful")),
    ("GCP", ("google cloud", "google cloud platform", "gcloud")),
    ("AWS", ("amazon web services", "amazon aws")),
    ("Azure", ("microsoft azure",)),
    ("Docker", ("docker compose", "containers")),
    ("Terraform", ("terra form",)),
    ("Ansible", ()),
    ("Redis", ("reddis", "redis cache")),
    ("MongoDB", ("mongo", "mongo db")),
    ("Cassandra", ()),
    ("Elasticsearch", ("elastic search", "elastic")),
    ("ClickHouse", ("click house",)),
    ("RabbitMQ", ("rabbit mq", "rabbit")),
    ("Prometheus", ()),
    ("Grafana", ()),
    ("OpenTelemetry", ("open telemetry", "otel")),
    ("LiveKit", ("live kit",)),
    ("ONNX Runtime", ("onnx", "onyx runtime", "onnxruntime")),
    ("FastAPI", ("fast api",)),
    ("Django", ("jango",)),
    ("Flask", ()),
    ("Python", ("python3", "py")),
    ("Rust", ("rustlang",)),
    ("C", ()),
    ("C++", ("cpp", "c plus plus")),
    ("C#", ("c sharp", "csharp", ".net", "dotnet")),
    ("Java", ()),
    ("Kotlin", ()),
    ("Scala", ()),
    ("Ruby", ()),
    ("Ruby on Rails", ("rails", "ror")),
    ("PHP", ()),
    ("Swift", ()),
    ("Elixir", ()),
    ("Erlang", ()),
    ("Phoenix", ("phoenix framework",)),
    ("Haskell", ()),
    ("Spring Boot", ("spring", "springboot")),
    ("Linux", ()),
    ("Whisper", ()),
    ("Piper", ()),
    ("Asterisk", ()),
    ("Kamailio", ()),
    ("Jenkins", ()),
    ("GitHub Actions", ()),
    ("Snowflake", ()),
    ("Hadoop", ()),
    ("Home Assistant", ()),
    ("Metabase", ()),
)

# Families answer "did they use X?" when X is absent but a sibling is present, and "SQL?" via PostgreSQL.
FAMILIES: tuple[frozenset[str], ...] = tuple(
    frozenset(tech_key(n) for n in names)
    for names in (
        (
            "SQL",
            "PostgreSQL",
            "MySQL",
            "SQLite",
            "PostGIS",
            "ClickHouse",
            "Snowflake",
            "SQL Server",
            "Oracle",
        ),
        ("AWS", "GCP", "Azure"),
        ("Kubernetes", "k3s", "Docker", "OpenShift", "Nomad"),
        ("PyTorch", "TensorFlow", "Keras", "JAX", "scikit-learn"),
        ("Apache Kafka", "RabbitMQ", "NATS", "Pulsar", "SQS"),
        ("Java", "Kotlin", "Scala"),
        ("JavaScript", "TypeScript", "Node.js", "React", "Angular", "Vue"),
        ("Elixir", "Erlang", "Phoenix"),
        ("Terraform", "Ansible", "Pulumi", "CloudFormation"),
        ("Prometheus", "Grafana", "OpenTelemetry", "Datadog"),
        ("Flask", "Django", "FastAPI"),
        ("Ruby", "Ruby on Rails"),
    )
)

_CLOUD_KEYS = tuple(tech_key(n) for n in ("AWS", "GCP", "Azure", "Oracle Cloud", "IBM Cloud", "DigitalOcean"))
# Tech names that are also everyday words: accepted only with a technology-ish neighbour.
_AMBIGUOUS = frozenset(
    {
        "go",
        "c",
        "r",
        "d",
        "spring",
        "swift",
        "rest",
        "elastic",
        "rabbit",
        "node",
        "py",
        "containers",
        "torch",
        "ts",
        "rails",
        "phoenix",
        "ruby",
        "dart",
        "julia",
    }
)
_TECH_BEFORE = words(
    """in with using use used uses know knows knew about and or of write writes wrote written like any
    program programs programming code coding coded learn learned learnt at also including plus
    experience familiar proficient skilled expert"""
)
_TECH_AFTER = words(
    """projects project code codebase language lang experience services service developer developers
    programming skills and or work stack backend microservices apps libraries library"""
)
_VERB_BEFORE = words(
    """it did does do to let lets we i you they he she can could should would will not don didn doesn t s
    gonna must might may please ll d that things how"""
)
_VERB_AFTER = words(
    """back to on ahead through over into for away further deeper beyond out up down well by from there here
    home wrong right fine"""
)


@dataclass(frozen=True)
class TechMatch:
    name: str
    in_resume: bool
    start: int
    end: int  # token span [start, end)


class TechIndex:
    """Finds technology mentions in an utterance and maps them to resume items."""

    MAX_GRAM = 4

    def __init__(self, resume: Resume) -> None:
        resume_names: list[str] = []
        for _, item in resume.items():
            resume_names += list(getattr(item, "technologies", []))
        for names in resume.skills.values():
            resume_names += names
        self._display: dict[str, str] = {}  # key -> display name
        self.in_resume: set[str] = set()
        for name in resume_names:
            key = tech_key(name)
            if key and key not in self._display:
                self._display[key] = name
                self.in_resume.add(name)
        self._by_key: dict[str, str] = dict(self._display)
        for display, aliases in GENERIC_TECH:
            keys = [tech_key(display)] + [tech_key(a) for a in aliases]
            # The resume's own spelling wins, so "kafka" resolves to "Apache Kafka" or "Kafka" as written.
            target = next((self._display[k] for k in keys if k in self._display), display)
            for k in keys:
                self._by_key.setdefault(k, target)
        # "LLM tool calling" also answers to "LLM": a multi-word skill led by an acronym.
        for name in self._display.values():
            head = name.split()[0]
            if " " in name and 2 <= len(head) <= 5 and head.isalpha() and head.isupper():
                self._by_key.setdefault(tech_key(head), name)
        # Vendor-prefixed resume names ("Apache Kafka", "Google Cloud Run") also answer to their last word.
        for key_name in list(self._display.values()):
            parts = key_name.split()
            if len(parts) > 1 and parts[0].lower() in ("apache", "google", "amazon", "microsoft", "aws"):
                self._by_key.setdefault(tech_key(" ".join(parts[1:])), key_name)
        self._fuzzy = FuzzyIndex()
        for key, name in self._by_key.items():
            # Long spelled-out aliases ("amazonwebservices") are never mis-heard as one word.
            if key not in _AMBIGUOUS and len(key) <= 14:
                self._fuzzy.add(key, name)
        self.category: dict[str, str] = {}
        for cat, names in resume.skills.items():
            for n in names:
                self.category.setdefault(self._by_key.get(tech_key(n), n), cat)
        self._items: dict[str, list[str]] = {}
        for _, item in resume.items():
            techs = list(getattr(item, "technologies", []))
            for t in techs:
                self._items.setdefault(self.canonical(t) or t, []).append(item.id)
        # A certification named after a technology ("Certified Kubernetes Administrator") is evidence too.
        for cert in resume.certifications:
            for m in self.find(Utterance.of(f"{cert.name} {cert.issuer or ''}")):
                ids = self._items.setdefault(m.name, [])
                if cert.id not in ids:
                    ids.append(cert.id)
        self.keys = frozenset(self._by_key)

    def canonical(self, name: str) -> str | None:
        return self._by_key.get(tech_key(name))

    def items_for(self, name: str) -> list[str]:
        return list(self._items.get(name, []))

    def related(self, name: str) -> list[str]:
        """Resume technologies in the same family as `name` (excluding it)."""
        key = tech_key(name)
        out: list[str] = []
        for fam in FAMILIES:
            if key in fam:
                out += [self._display[k] for k in fam if k in self._display and k != key]
        return list(dict.fromkeys(out))

    def cloud_providers(self) -> list[str]:
        """The resume's cloud providers (AWS, GCP, Azure ...), as the resume spells them."""
        return [self._display[k] for k in _CLOUD_KEYS if k in self._display]

    def find(self, utt: Utterance) -> list[TechMatch]:
        toks = utt.toks
        used = [False] * len(toks)
        found: list[TechMatch] = []
        for n in range(self.MAX_GRAM, 0, -1):
            for i in range(len(toks) - n + 1):
                if any(used[i : i + n]):
                    continue
                gram = "".join(toks[i : i + n])
                name = self._by_key.get(gram)
                if name is None and n == 1 and len(gram) > 3 and gram.endswith("s"):
                    name = self._by_key.get(gram[:-1])  # "LLMs", "APIs"
                # Typos: one word, or a name speech-to-text split in two short pieces ("cuber netes").
                fuzzy_len_ok = 6 <= len(gram) <= (16 if n == 1 else 14)
                if name is None and n <= 2 and fuzzy_len_ok and self._fuzzable(toks[i : i + n]):
                    name = self._fuzzy.lookup(gram)
                if name is None:
                    continue
                if n == 1 and gram in _AMBIGUOUS and not self._tech_context(utt, i):
                    continue
                found.append(TechMatch(name, name in self.in_resume, i, i + n))
                for j in range(i, i + n):
                    used[j] = True
        found.sort(key=lambda m: m.start)
        out: list[TechMatch] = []
        for m in found:
            if all(m.name != o.name for o in out):
                out.append(m)
        return out

    @staticmethod
    def _fuzzable(words: tuple[str, ...]) -> bool:
        return not any(w.isdigit() or w in COMMON_WORDS or w in STOPWORDS for w in words)

    def _tech_context(self, utt: Utterance, i: int) -> bool:
        toks, raw = utt.toks, utt.raw_toks
        prev = toks[i - 1] if i > 0 else None
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if prev in _VERB_BEFORE or nxt in _VERB_AFTER:
            return False
        if nxt is not None and len(raw[i + 1]) == 1 and raw[i + 1].isupper():
            return False  # "R&D", "C D" initials
        if raw[i][0].isupper() and i > 0:
            return True
        if prev in _TECH_BEFORE or nxt in _TECH_AFTER:
            return True
        neighbours = [t for t in (prev, nxt) if t is not None]
        return any(t in self._by_key and t not in _AMBIGUOUS for t in neighbours)
