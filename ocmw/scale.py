"""Synthetic big-city data (``python manage.py seed_scale``): the plan every seeder
shares, the bulk-insert helpers, and the core's part (OCMWs, teams, staff, clients).

The command builds a :class:`ScalePlan` from ``--clients N``, ``--ocmws K`` and
``--seed S``, seeds the core here, then runs every app's ``seed(plan)`` from
``registries.scale_seeders`` (registered in each ``AppConfig.ready()``), so the
core names no app. An app leaves what later apps need in ``plan.shared`` (the
trajectory app: one :class:`trajecten.scale.TrajectorySeed` per trajectory).

**Sizes** (see :meth:`ScalePlan.build`): the OCMWs share the clients as 1, 1/4,
1/9 ... (a big city and smaller neighbours: at 200,000 clients the city has
147,000, so its open files make a list of over 100,000 rows); about one SPI team per 13,333
clients and one counsellor per 1,333 (15 teams and 150 counsellors at 200,000),
at least one team per OCMW and two counsellors per team. Each SPI team has a team
lead; each OCMW has a general social service team (social workers, one per 2,000
clients, and its own lead), intake staff and an administrator.

**Logins** (password ``scale``, hashed once): ``scale-c001`` ... counsellors,
``scale-tl01`` ... leads of the SPI teams in order, then one lead per general
social service, ``scale-sw001`` ... social workers, ``scale-intake1`` ...,
``scale-admin1`` ... (the administrator of OCMW k).

**Bench client**: the first client of every OCMW is "Bénédicte Benchmark"
(``Client.objects.filter(last_name="Benchmark")``), followed by the OCMW's first
counsellor, with 200 journal contacts.

**Fast.** Ids are reserved from the sequences up front, so rows of every table
are generated in Python with their foreign keys known and streamed with
PostgreSQL ``COPY`` (psycopg 3 ``cursor.copy()``), chunk by chunk (10,000
clients), which keeps memory bounded: what stays in memory is the plan, a few
hundred bytes per client. The load runs in one transaction with
``session_replication_role = replica``: the pghistory audit triggers (and the
foreign-key triggers) do not fire for synthetic rows, which makes the load
several times faster; generated columns (``Client.search_name``), check and
unique constraints and indexes still apply. Without the privilege to set it, the
load runs with the triggers on (slower, same data).

**Idempotent per seed**: a database holds one scale data set. Running the command
again with the same ``--seed``, ``--clients`` and ``--ocmws`` finds it (the bench
client's national register number depends on the seed) and does nothing; other
values are refused with a clear message (use another database).
"""

from __future__ import annotations

import datetime
import random
import time
import unicodedata
import zoneinfo
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, models
from django.db.models import NOT_PROVIDED
from django.utils import timezone

from ocmw import insz
from ocmw.models import Client, LanguageRegion, Ocmw, Role, Team, TeamService, User

SCALE_PASSWORD = "scale"  # noqa: S105 - synthetic data only, never in production
BENCH_FIRST_NAME = "Bénédicte"
BENCH_LAST_NAME = "Benchmark"
BENCH_CONTACTS = 200
CHUNK = 10_000
BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")
DAY = datetime.timedelta(days=1)
STARTED = timezone.now()

CLIENTS_PER_TEAM = 13_334
CLIENTS_PER_COUNSELLOR = 1_333
CLIENTS_PER_SOCIAL_WORKER = 2_000
CLIENTS_PER_INTAKE = 20_000

OCMW_NAMES = [
    ("OCMW Schaalstad / CPAS Ville-Échelle", LanguageRegion.BILINGUAL),
    ("OCMW Groothaven", LanguageRegion.DUTCH),
    ("CPAS Grandeville", LanguageRegion.FRENCH),
]
SPI_TEAM_NAMES = {
    LanguageRegion.DUTCH: [
        "Trajectbegeleiding Noord", "Trajectbegeleiding Zuid", "Jongerencel",
        "Werkervaring art. 60", "Jobcoaching en nazorg", "Trajectbegeleiding Centrum",
        "Trajectbegeleiding Oost", "Trajectbegeleiding West", "Taal en activering",
        "Projectdefinitie", "Opvolgingspool", "Sociale activering",
    ],
    LanguageRegion.FRENCH: [
        "Insertion Nord", "Insertion Sud", "Cellule jeunes", "Article 60",
        "Job coaching et suivi", "Insertion Centre", "Insertion Est", "Insertion Ouest",
        "Langue et activation", "Définition de projet", "Pool de suivi", "Activation sociale",
    ],
    LanguageRegion.BILINGUAL: [
        "Trajectbegeleiding Noord / Insertion Nord", "Trajectbegeleiding Zuid / Insertion Sud",
        "Jongerencel / Cellule jeunes", "Werkervaring / Article 60",
        "Jobcoaching / Job coaching", "Centrum / Centre", "Oost / Est", "West / Ouest",
        "Taal / Langue", "Projectdefinitie / Définition de projet", "Opvolging / Suivi",
        "Sociale activering / Activation sociale",
    ],
}  # fmt: skip
GENERAL_TEAM_NAMES = {
    LanguageRegion.DUTCH: "Algemene sociale dienst",
    LanguageRegion.FRENCH: "Service social général",
    LanguageRegion.BILINGUAL: "Algemene sociale dienst / Service social général",
}

# --- names ----------------------------------------------------------------------------
# (male first names, female first names, last names, languages spoken)
ORIGINS: dict[str, tuple[list[str], list[str], list[str], list[str]]] = {
    "nl": (
        ["Jan", "Pieter", "Koen", "Bram", "Wout", "Dries", "Stijn", "Tom", "Kevin", "Lucas",
         "Jeroen", "Bart", "Joris", "Arne", "Sven", "Ruben", "Jens", "Maarten", "Geert", "Wim",
         "Jef", "Seppe", "Thibault", "Robbe", "Niels"],
        ["Sofie", "Hanne", "Laura", "Ines", "Evelien", "Nathalie", "Lotte", "An", "Els",
         "Katrien", "Marieke", "Liesbeth", "Femke", "Griet", "Ilse", "Jana", "Lien", "Nele",
         "Saar", "Joke", "Anneleen", "Eline", "Zoë", "Noëlla", "Inès"],
        ["Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens",
         "Wouters", "De Smet", "Vermeulen", "Hermans", "Michiels", "Van Damme", "Van den Broeck",
         "Dubois", "Lambrechts", "De Backer", "Verstraete", "Vandamme", "Desmet", "Aerts",
         "Verbruggen", "Van Hoof", "De Wilde", "Claeys", "Smets", "Pauwels", "Cools",
         "Van de Velde", "D'Hondt", "Declercq", "Vandenberghe", "Coppens", "Thys", "Heylen",
         "Van Acker", "De Coninck", "Baert", "Geerts"],
        ["Dutch"],
    ),
    "fr": (
        ["Jean-Pierre", "Olivier", "Nicolas", "Éric", "Stéphane", "Frédéric", "Jérôme",
         "Loïc", "Benoît", "François", "Sébastien", "Grégory", "Cédric", "Julien", "Thierry",
         "Rémi", "Maxime", "Hugo", "Noé", "Raphaël", "André", "Gaëtan", "Jérémy", "Mathéo",
         "Émile"],
        ["Céline", "Marie", "Isabelle", "Anaïs", "Hélène", "Mélanie", "Noémie", "Gaëlle",
         "Chloé", "Élodie", "Sévérine", "Stéphanie", "Aurélie", "Léa", "Camille", "Pauline",
         "Valérie", "Cécile", "Maëlle", "Inès", "Océane", "Joëlle", "Sandrine", "Zoé",
         "Bénédicte"],
        ["Dupont", "Lambert", "Lemaire", "Lefèvre", "Renard", "Martin", "Dubois", "Leroy",
         "Moreau", "Dupré", "Lemaître", "Gérard", "Rémy", "Delcourt", "Hénin", "François",
         "Mertens", "Leclercq", "Simon", "Laurent", "Fontaine", "Lejeune", "Collignon",
         "Delvaux", "Bastin", "Hubert", "Lecomte", "Thiry", "Noël", "Gilson", "Dethier",
         "Évrard", "Piérard", "Dumoulin", "Maréchal", "Jacquet", "Wéry", "Crèvecoeur",
         "Lhoëst", "Goffin"],
        ["French"],
    ),
    "maghreb": (
        ["Mohamed", "Youssef", "Rachid", "Bilal", "Ahmed", "Karim", "Mehdi", "Hamza",
         "Said", "Ayoub", "Anas", "Ilias", "Nabil", "Mourad", "Adil"],
        ["Fatima", "Aïcha", "Samira", "Amina", "Nadia", "Khadija", "Salma", "Imane", "Hajar",
         "Loubna", "Soukaina", "Naïma", "Yasmina", "Hanane", "Ikram"],
        ["El Amrani", "Bakkali", "Benali", "Ouali", "Tahiri", "Chaouki", "Elidrissi",
         "El Haddouchi", "Azzouzi", "Boukhari", "Ait Lahcen", "Belkacem", "Haddad", "Ziani",
         "El Ouazzani", "Amrani", "Bouzid", "Rahmouni"],
        ["Arabic", "French"],
    ),
    "turkish": (
        ["Emre", "Mehmet", "Mustafa", "Burak", "Hakan", "Kerem", "Ömer", "Yusuf"],
        ["Elif", "Zeynep", "Ayşe", "Fatma", "Büşra", "Esra", "Gülsüm", "Merve"],
        ["Yılmaz", "Demir", "Aydın", "Kaya", "Şahin", "Çelik", "Öztürk", "Doğan", "Arslan",
         "Güneş"],
        ["Turkish", "Dutch"],
    ),
    "central_africa": (
        ["Kofi", "Mamadou", "Jean-Claude", "Patrick", "Christian", "Didier", "Serge"],
        ["Chantal", "Grace", "Amina", "Béatrice", "Clémentine", "Esther", "Fanta"],
        ["Mbuyi", "Kabila", "Diallo", "Diop", "Mensah", "Tshibangu", "Kalonji", "Mukendi",
         "Ilunga", "Ngoy", "Traoré", "Ndiaye"],
        ["Lingala", "French"],
    ),
    "east_europe": (
        ["Piotr", "Andrei", "Tomasz", "Mihai", "Krzysztof", "Bogdan", "Marek"],
        ["Agnieszka", "Ana", "Ioana", "Katarzyna", "Elena", "Magdalena", "Małgorzata"],
        ["Popescu", "Nowak", "Wiśniewski", "Ionescu", "Kowalczyk", "Dumitru", "Lewandowski",
         "Constantin", "Zieliński", "Stan"],
        ["Polish", "English"],
    ),
    "middle_east": (
        ["Ahmad", "Omar", "Ali", "Hussein", "Tariq", "Samir", "Zaki"],
        ["Rania", "Layla", "Mariam", "Noor", "Huda", "Zahra", "Dalia"],
        ["Al-Hassan", "Haidari", "Karimi", "Al-Khatib", "Rahimi", "Mansour", "Sultani",
         "Nazari"],
        ["Arabic", "English"],
    ),
}  # fmt: skip
# Share of each origin per language region.
ORIGIN_MIX = {
    LanguageRegion.BILINGUAL: [("nl", 18), ("fr", 32), ("maghreb", 22), ("turkish", 6),
                               ("central_africa", 10), ("east_europe", 7), ("middle_east", 5)],
    LanguageRegion.DUTCH: [("nl", 60), ("fr", 5), ("maghreb", 15), ("turkish", 8),
                           ("central_africa", 4), ("east_europe", 5), ("middle_east", 3)],
    LanguageRegion.FRENCH: [("nl", 3), ("fr", 62), ("maghreb", 15), ("turkish", 4),
                            ("central_africa", 9), ("east_europe", 4), ("middle_east", 3)],
}  # fmt: skip
STREETS = {
    LanguageRegion.BILINGUAL: [
        ("Koningsstraat", "1000", "Brussel"), ("Rue Royale", "1000", "Bruxelles"),
        ("Chaussée de Haecht", "1030", "Schaerbeek"),
        ("Rogierstraat", "1210", "Sint-Joost-ten-Node"), ("Rue de Brabant", "1030", "Schaerbeek"),
        ("Chaussée de Gand", "1080", "Molenbeek-Saint-Jean"),
        ("Rue Wayez", "1070", "Anderlecht"), ("Avenue de la Reine", "1020", "Laeken"),
        ("Chaussée d'Ixelles", "1050", "Ixelles"), ("Rue Haute", "1000", "Bruxelles"),
    ],
    LanguageRegion.DUTCH: [
        ("Kerkstraat", "2060", "Antwerpen"), ("Turnhoutsebaan", "2140", "Borgerhout"),
        ("Lange Kievitstraat", "2018", "Antwerpen"), ("Bredabaan", "2170", "Merksem"),
        ("Sint-Bernardsesteenweg", "2660", "Hoboken"), ("Kioskplaats", "2660", "Hoboken"),
        ("Vredestraat", "2100", "Deurne"), ("Dambruggestraat", "2060", "Antwerpen"),
    ],
    LanguageRegion.FRENCH: [
        ("Rue de la Station", "4000", "Liège"), ("Rue Saint-Léonard", "4000", "Liège"),
        ("Boulevard de la Sauvenière", "4000", "Liège"), ("Rue de Fétinne", "4020", "Liège"),
        ("Rue Puits-en-Sock", "4020", "Liège"), ("Quai de Rome", "4000", "Liège"),
        ("Rue Ernest Solvay", "4000", "Liège"), ("Rue de Herve", "4030", "Grivegnée"),
    ],
}  # fmt: skip


def weighted(pairs: Sequence[tuple[Any, int]]) -> tuple[list[Any], list[int]]:
    """Values and cumulative weights, for ``rng.choices(values, cum_weights=...)``."""
    values, cumulative, total = [], [], 0
    for value, weight in pairs:
        total += weight
        values.append(value)
        cumulative.append(total)
    return values, cumulative


def ascii_name(text: str) -> str:
    """ "Hélène D'Hondt" → "helene.dhondt" for synthetic e-mail addresses."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower().replace(" ", ".") if ch.isalnum() or ch == ".")


def at(day: datetime.date, minutes: int = 600) -> datetime.datetime:
    """``day`` at ``minutes`` after midnight, Brussels time; never later than when
    the load started (a contact of today at 16:00 cannot be on file at 9:00)."""
    hour, minute = divmod(minutes, 60)
    moment = datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=BRUSSELS)
    return min(moment, STARTED)


# --- the plan ---------------------------------------------------------------------------


@dataclass
class TeamPlan:
    id: int
    ocmw_index: int
    name: str
    lead_id: int
    counsellor_ids: list[int] = field(default_factory=list)


@dataclass
class OcmwPlan:
    index: int
    name: str
    region: str
    clients: int
    spi_teams: list[TeamPlan] = field(default_factory=list)
    id: int = 0
    general_team_id: int = 0
    general_lead_id: int = 0
    social_worker_ids: list[int] = field(default_factory=list)
    intake_ids: list[int] = field(default_factory=list)
    admin_id: int = 0
    first_client_id: int = 0

    @property
    def client_ids(self) -> range:
        return range(self.first_client_id, self.first_client_id + self.clients)

    @property
    def bench_client_id(self) -> int:
        return self.first_client_id


@dataclass(slots=True)
class ClientSeed:
    """What the apps' seeders need to know of a client the core made."""

    id: int
    ocmw_index: int
    language: str  # "nl", "fr" or "other" (preferred language)
    text_language: str  # "nl" or "fr": the language case notes are written in
    decision: datetime.date | None  # leefloon decision date
    social_worker_id: int | None
    bench: bool


@dataclass
class ScalePlan:
    clients: int
    ocmws: int
    seed: int
    today: datetime.date
    ocmw_plans: list[OcmwPlan]
    counsellor_count: int
    # SPI teams per OCMW (sizes), and every SPI team by id once the core made them.
    team_counts: list[int] = field(default_factory=list)
    team_index: dict[int, TeamPlan] = field(default_factory=dict)
    chunk_size: int = CHUNK
    client_seeds: list[ClientSeed] = field(default_factory=list)
    # Cross-app ids: each app leaves here what later apps need.
    shared: dict[str, Any] = field(default_factory=dict)
    log: Callable[[str], None] = print

    @classmethod
    def build(
        cls,
        *,
        clients: int,
        ocmws: int = 3,
        seed: int = 1,
        today: datetime.date | None = None,
        log: Callable[[str], None] = print,
    ) -> ScalePlan:
        if ocmws < 1 or clients < ocmws:
            raise ValueError("Give at least one client per OCMW.")
        weights = [1 / (i + 1) ** 2 for i in range(ocmws)]
        total = sum(weights)
        counts = [max(1, round(clients * w / total)) for w in weights]
        counts[0] += clients - sum(counts)
        teams = max(ocmws, round(clients / CLIENTS_PER_TEAM))
        counsellors = max(2 * teams, round(clients / CLIENTS_PER_COUNSELLOR))
        team_counts = [max(1, round(teams * w / total)) for w in weights]
        team_counts[0] = max(1, team_counts[0] + teams - sum(team_counts))
        plans = []
        for index in range(ocmws):
            if index < len(OCMW_NAMES):
                name, region = OCMW_NAMES[index]
            else:
                region = [LanguageRegion.DUTCH, LanguageRegion.FRENCH][index % 2]
                name = f"OCMW Schaalstad {index + 1}"
            plans.append(OcmwPlan(index=index, name=name, region=region, clients=counts[index]))
        plan = cls(
            clients=clients,
            ocmws=ocmws,
            seed=seed,
            today=today or timezone.localdate(),
            ocmw_plans=plans,
            counsellor_count=counsellors,
            team_counts=team_counts,
            log=log,
        )
        return plan

    def rng(self, *parts: Any) -> random.Random:
        """A generator of its own for each part, so one app's draws never shift another's."""
        return random.Random(":".join(str(p) for p in (self.seed, *parts)))  # noqa: S311

    def chunks(self, items: Sequence[Any]) -> Iterator[Sequence[Any]]:
        for start in range(0, len(items), self.chunk_size):
            yield items[start : start + self.chunk_size]

    def team(self, team_id: int) -> TeamPlan:
        return self.team_index[team_id]

    def ocmw_id(self, index: int) -> int:
        return self.ocmw_plans[index].id

    @property
    def teams(self) -> list[TeamPlan]:
        return [team for ocmw in self.ocmw_plans for team in ocmw.spi_teams]

    def bench_identity(self, ocmw_index: int) -> tuple[datetime.date, int]:
        """Birth date and (even: female) serial of an OCMW's bench client."""
        rng = self.rng("bench", ocmw_index)
        return datetime.date(1980, 1, 1) + DAY * rng.randrange(0, 20 * 365), 2 * rng.randrange(
            1, 498
        )

    def bench_insz(self) -> str:
        """The national register number of the first OCMW's bench client (its very
        first client): it depends on the seed, so it tells which seed made the data."""
        return insz.build(*self.bench_identity(0))


# --- bulk helpers -----------------------------------------------------------------------


def _check_columns(model: type[models.Model], columns: Sequence[str]) -> None:
    """Refuse a COPY that leaves a NOT NULL column without a value: Django's
    defaults live in Python, so the database would refuse it anyway, later and
    less clearly."""
    known = {f.column: f for f in model._meta.concrete_fields}
    for column in columns:
        if column not in known or known[column].generated:
            raise ValueError(f"{model._meta.db_table}.{column} cannot be loaded")
    for column, fld in known.items():
        if column in columns or fld.generated or fld.null or fld.primary_key:
            continue
        if getattr(fld, "db_default", NOT_PROVIDED) is NOT_PROVIDED:
            raise ValueError(f"{model._meta.db_table}.{column} needs a value")


def copy_rows(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Stream ``rows`` into ``model``'s table with ``COPY ... FROM STDIN``.

    Values are Python values (dates, aware datetimes, lists for array columns);
    JSON columns take their text already dumped."""
    _check_columns(model, columns)
    quote = connection.ops.quote_name
    sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    count = 0
    with connection.cursor() as cursor:
        with cursor.cursor.copy(sql) as copy:
            write = copy.write_row
            for row in rows:
                write(row)
                count += 1
    return count


def reserve_ids(model: type[models.Model], count: int) -> int:
    """Take ``count`` consecutive ids from the table's sequence; returns the first."""
    if count <= 0:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, model._meta.pk.column]
        )
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT setval(%s, nextval(%s) + %s - 1)", [sequence, sequence, count])
        return cursor.fetchone()[0] - count + 1


class Timer:
    """Prints what a step made and how long it took."""

    def __init__(self, plan: ScalePlan, label: str) -> None:
        self.plan, self.label = plan, label

    def __enter__(self) -> Timer:
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.plan.log(f"  {self.label}: {time.monotonic() - self.started:.1f} s")


# --- what is there already --------------------------------------------------------------


def scale_ocmw_ids() -> list[int]:
    """The OCMWs of the scale data set in this database (by their administrators)."""
    admins = User.objects.filter(username__regex=r"^scale-admin[0-9]+$").order_by("username")
    ids = list(admins.values_list("username", "ocmw_id"))
    return [ocmw_id for _name, ocmw_id in sorted(ids, key=lambda row: int(row[0][11:]))]


def existing_data(plan: ScalePlan) -> str | None:
    """None when the database holds no scale data; "same" when it holds exactly
    this plan's data; otherwise a sentence saying what is there."""
    ocmw_ids = scale_ocmw_ids()
    if not ocmw_ids:
        return None
    clients = Client.objects.filter(ocmw_id__in=ocmw_ids).count()
    bench = Client.objects.filter(
        ocmw_id=ocmw_ids[0], last_name=BENCH_LAST_NAME, first_name=BENCH_FIRST_NAME
    ).first()
    same_seed = bench is not None and bench.insz == plan.bench_insz()
    if same_seed and len(ocmw_ids) == plan.ocmws and clients == plan.clients:
        return "same"
    seed = "the same seed" if same_seed else "another seed"
    return (
        f"This database already holds scale data of {seed}: {len(ocmw_ids)} OCMWs and "
        f"{clients} clients (asked: seed {plan.seed}, {plan.ocmws} OCMWs, {plan.clients} "
        "clients). seed_scale keeps one data set per database; use a fresh database."
    )


# --- the core's part --------------------------------------------------------------------


def _staff_row(
    plan: ScalePlan,
    rng: random.Random,
    username: str,
    ocmw: OcmwPlan,
    roles: list[str],
    password: str,
    **extra: Any,
) -> User:
    origin = "fr" if ocmw.region == LanguageRegion.FRENCH else "nl"
    if ocmw.region == LanguageRegion.BILINGUAL and rng.random() < 0.5:
        origin = "fr"
    male, female, last_names, _spoken = ORIGINS[origin]
    first = rng.choice(male if rng.random() < 0.4 else female)
    return User(
        username=username,
        password=password,
        first_name=first,
        last_name=rng.choice(last_names),
        email=f"{username}@scale.invalid",
        ocmw_id=ocmw.id,
        roles=roles,
        language=origin,
        is_active=True,
        date_joined=at(plan.today - DAY * 400),
        **extra,
    )


def seed_staff(plan: ScalePlan) -> None:
    """OCMWs, teams and staff: a few hundred rows, made with ``bulk_create``."""
    rng = plan.rng("staff")
    password = make_password(SCALE_PASSWORD)
    ocmws = Ocmw.objects.bulk_create(
        [Ocmw(name=o.name, language_region=o.region) for o in plan.ocmw_plans]
    )
    for ocmw, row in zip(plan.ocmw_plans, ocmws, strict=True):
        ocmw.id = row.pk
    teams: list[Team] = []
    for ocmw, count in zip(plan.ocmw_plans, plan.team_counts, strict=True):
        names = SPI_TEAM_NAMES[ocmw.region]
        for n in range(count):
            name = names[n] if n < len(names) else f"{names[n % len(names)]} {n // len(names) + 1}"
            teams.append(Team(ocmw_id=ocmw.id, name=name, service=TeamService.SPI))
        teams.append(
            Team(ocmw_id=ocmw.id, name=GENERAL_TEAM_NAMES[ocmw.region], service=TeamService.GENERAL)
        )
    Team.objects.bulk_create(teams)
    spi_teams = [t for t in teams if t.service == TeamService.SPI]
    for ocmw in plan.ocmw_plans:
        ocmw.general_team_id = next(
            t.pk for t in teams if t.ocmw_id == ocmw.id and t.service == TeamService.GENERAL
        )

    # Counsellors per OCMW in proportion to its clients, then evenly over its teams.
    total_clients = plan.clients
    per_ocmw = [
        max(2 * count, round(plan.counsellor_count * o.clients / total_clients))
        for o, count in zip(plan.ocmw_plans, plan.team_counts, strict=True)
    ]
    users: list[User] = []
    memberships: list[tuple[User, int]] = []
    counsellor_no = 0
    for ocmw, count in zip(plan.ocmw_plans, per_ocmw, strict=True):
        own = [t for t in spi_teams if t.ocmw_id == ocmw.id]
        for n in range(count):
            counsellor_no += 1
            team = own[n % len(own)]
            user = _staff_row(
                plan, rng, f"scale-c{counsellor_no:03d}", ocmw, [Role.COUNSELLOR], password
            )
            users.append(user)
            memberships.append((user, team.pk))
    for number, team in enumerate(spi_teams, start=1):
        ocmw = next(o for o in plan.ocmw_plans if o.id == team.ocmw_id)
        user = _staff_row(plan, rng, f"scale-tl{number:02d}", ocmw, [Role.TEAM_LEAD], password)
        users.append(user)
        memberships.append((user, team.pk))
    number = len(spi_teams)
    for ocmw in plan.ocmw_plans:
        number += 1
        user = _staff_row(plan, rng, f"scale-tl{number:02d}", ocmw, [Role.TEAM_LEAD], password)
        users.append(user)
        memberships.append((user, ocmw.general_team_id))
    worker_no = intake_no = 0
    for ocmw in plan.ocmw_plans:
        for _ in range(max(2, round(ocmw.clients / CLIENTS_PER_SOCIAL_WORKER))):
            worker_no += 1
            user = _staff_row(
                plan, rng, f"scale-sw{worker_no:03d}", ocmw, [Role.SOCIAL_WORKER], password
            )
            users.append(user)
            memberships.append((user, ocmw.general_team_id))
        for _ in range(max(1, round(ocmw.clients / CLIENTS_PER_INTAKE))):
            intake_no += 1
            users.append(
                _staff_row(plan, rng, f"scale-intake{intake_no}", ocmw, [Role.INTAKE], password)
            )
        users.append(
            _staff_row(plan, rng, f"scale-admin{ocmw.index + 1}", ocmw, [Role.ADMIN], password)
        )
    User.objects.bulk_create(users)
    User.teams.through.objects.bulk_create(
        [User.teams.through(user_id=user.pk, team_id=team_id) for user, team_id in memberships]
    )

    by_ocmw = {o.id: o for o in plan.ocmw_plans}
    team_plans = {
        t.pk: TeamPlan(id=t.pk, ocmw_index=by_ocmw[t.ocmw_id].index, name=t.name, lead_id=0)
        for t in spi_teams
    }
    for user, team_id in memberships:
        ocmw = by_ocmw[user.ocmw_id]
        if user.is_counsellor:
            team_plans[team_id].counsellor_ids.append(user.pk)
        elif user.is_team_lead and team_id in team_plans:
            team_plans[team_id].lead_id = user.pk
        elif user.is_team_lead:
            ocmw.general_lead_id = user.pk
        elif user.is_social_worker:
            ocmw.social_worker_ids.append(user.pk)
    for user in users:
        ocmw = by_ocmw[user.ocmw_id]
        if user.is_intake:
            ocmw.intake_ids.append(user.pk)
        elif user.is_ocmw_admin:
            ocmw.admin_id = user.pk
    for team in team_plans.values():
        plan.ocmw_plans[team.ocmw_index].spi_teams.append(team)
    plan.team_index = team_plans
    # A caseload this size is the scale test's premise, not an overload to flag.
    caseload = plan.clients / max(1, counsellor_no)
    soft = min(32000, max(60, round(caseload * 1.1)))
    User.objects.filter(username__startswith="scale-c").update(
        caseload_soft_limit=soft, caseload_hard_limit=min(32767, max(80, round(soft * 1.3)))
    )


CLIENT_COLUMNS = [
    "id", "ocmw_id", "insz", "first_name", "last_name", "birth_date", "gender",
    "preferred_language", "languages_spoken", "phone", "email", "street", "postal_code", "city",
    "leefloon_decision_date", "responsible_social_worker_id", "row_version", "created_at",
    "updated_at",
]  # fmt: skip


def _client_rows(plan: ScalePlan, ocmw: OcmwPlan, ids: range, used: set[str]) -> Iterator[tuple]:
    rng = plan.rng("clients", ocmw.index, ids.start)
    rnd = rng.random
    origins, cumulative = weighted(ORIGIN_MIX[ocmw.region])
    streets = STREETS[ocmw.region]
    today = plan.today
    today_ord = today.toordinal()
    adult_ord = (today - DAY * (18 * 365 + 5)).toordinal()
    region_language = {LanguageRegion.DUTCH: "nl", LanguageRegion.FRENCH: "fr"}.get(ocmw.region)
    workers = ocmw.social_worker_ids
    for client_id in ids:
        bench = client_id == ocmw.bench_client_id
        origin = rng.choices(origins, cum_weights=cumulative)[0]
        male_names, female_names, last_names, spoken = ORIGINS[origin]
        male = rnd() < 0.48
        # Ages 18 to 64, more of them young.
        born = datetime.date.fromordinal(adult_ord - int(rng.betavariate(1.5, 2.6) * 46 * 365.25))
        bench_serial = 0
        if bench:
            born, bench_serial = plan.bench_identity(ocmw.index)
            male = False
        while True:
            serial = bench_serial if bench else 2 * int(rnd() * 498) + (1 if male else 2)
            bis = 40 if rnd() < 0.04 and not bench else 0
            number = insz.build(born, serial, bis_offset=bis)
            if number not in used:
                used.add(number)
                break
            born += DAY
        if bench:
            first, last = BENCH_FIRST_NAME, BENCH_LAST_NAME
            language, languages = "fr", ["French", "Dutch"]
        else:
            first = rng.choice(male_names if male else female_names)
            last = rng.choice(last_names)
            if origin in ("nl", "fr"):
                language = origin
            elif rnd() < 0.2:
                language = "other"
            else:
                language = region_language or ("fr" if rnd() < 0.7 else "nl")
            languages = list(spoken)
            if origin not in ("nl", "fr") and rnd() < 0.5:
                languages.append("Dutch" if region_language == "nl" else "French")
            if rnd() < 0.25:
                languages.append("English")
            languages = list(dict.fromkeys(languages))
        # Leefloon decisions: most in the last two years, some up to four years ago.
        decision = None
        if bench or rnd() < 0.9:
            age = 700 if bench else int(1300 * rnd() ** 1.5)
            decision = datetime.date.fromordinal(today_ord - age)
        worker = workers[int(rnd() * len(workers))] if workers and rnd() < 0.88 else None
        street, postal_code, city = streets[int(rnd() * len(streets))]
        phone = (
            f"04{int(rnd() * 90) + 60} {int(rnd() * 90) + 10} {int(rnd() * 90) + 10} "
            f"{int(rnd() * 90) + 10}"
            if rnd() < 0.85
            else ""
        )
        email = f"{ascii_name(first)}.{ascii_name(last)}{int(rnd() * 100)}@mail.invalid"
        created = at(decision or today - DAY * int(rnd() * 900), 480 + int(rnd() * 540))
        plan.client_seeds.append(
            ClientSeed(
                id=client_id,
                ocmw_index=ocmw.index,
                language=language,
                text_language="fr"
                if language == "fr" or (language == "other" and region_language != "nl")
                else "nl",
                decision=decision,
                social_worker_id=worker,
                bench=bench,
            )
        )
        yield (
            client_id, ocmw.id, number, first, last, born, "M" if serial % 2 else "F", language,
            languages, phone, email if rnd() < 0.4 else "",
            f"{street} {int(rnd() * 180) + 1}", postal_code, city, decision, worker, 1, created,
            created,
        )  # fmt: skip


def seed_clients(plan: ScalePlan) -> None:
    first = reserve_ids(Client, plan.clients)
    used: set[str] = set()
    for ocmw in plan.ocmw_plans:
        ocmw.first_client_id = first
        first += ocmw.clients
    for ocmw in plan.ocmw_plans:
        ids = ocmw.client_ids
        for start in range(ids.start, ids.stop, plan.chunk_size):
            chunk = range(start, min(start + plan.chunk_size, ids.stop))
            copy_rows(Client, CLIENT_COLUMNS, _client_rows(plan, ocmw, chunk, used))
        plan.log(f"  clients of {ocmw.name}: {ocmw.clients}")


def seed_core(plan: ScalePlan) -> None:
    with Timer(plan, "OCMWs, teams and staff"):
        seed_staff(plan)
    with Timer(plan, f"{plan.clients} clients"):
        seed_clients(plan)


def bench_clients() -> models.QuerySet:
    """The bench client of every scale OCMW (200 journal contacts each)."""
    return Client.objects.filter(last_name=BENCH_LAST_NAME, first_name=BENCH_FIRST_NAME)
