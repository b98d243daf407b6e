"""The fictional company of the demo: deterministic, so seeding twice changes nothing."""

from __future__ import annotations

import csv
import datetime
import io
import random
import unicodedata

DOMAIN = "demo.example"
PASSWORD = "mentorat-demo"

FIRST_NAMES = [
    "Camille", "Léa", "Manon", "Chloé", "Emma", "Inès", "Sarah", "Julie", "Laura", "Pauline", "Clara", "Anaïs",
    "Lucie", "Marine", "Mathilde", "Océane", "Élodie", "Justine", "Nadia", "Yasmine", "Aïcha", "Fatou", "Lina",
    "Hugo", "Lucas", "Thomas", "Nicolas", "Maxime", "Antoine", "Julien", "Alexandre", "Kevin", "Romain",
    "Mehdi", "Karim", "Yanis", "Théo", "Louis", "Baptiste", "Quentin", "Mamadou", "Rayan", "Adrien",
    "Isabelle", "Nathalie", "Sylvie", "Catherine", "Valérie", "Christine", "Véronique", "Françoise",
    "Philippe", "Patrick", "Michel", "Alain", "Éric", "Laurent", "Olivier", "Thierry", "Pascal", "Jean-Marc",
]
LAST_NAMES = [
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Leroy", "Moreau", "Simon", "Laurent",
    "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard",
    "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure",
    "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu",
    "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson", "Sanchez", "Benali",
    "Nguyen", "Diallo", "Haddad", "Traoré", "Rey", "Lemoine", "Carpentier", "Barbier", "Renaud",
]
DEPARTMENTS = [
    ("Finance", "Directeur financier"), ("Ressources humaines", "Directrice des ressources humaines"),
    ("Marketing et communication", "Directrice marketing"), ("Systèmes d'information", "DSI"),
    ("Opérations", "Directeur des opérations"), ("Ventes", "Directeur commercial"),
]
SITES = ["Paris", "Lyon", "Nantes", "Lille", "Bordeaux", "Toulouse"]
TITLES = {
    4: "Responsable de pôle", 3: "Manager", 2: "Chargé·e de mission", 1: "Chargé·e junior",
}
JUNIOR_TITLES = {
    "Finance": "Analyste financier junior", "Ressources humaines": "Chargée RH junior",
    "Marketing et communication": "Community manager", "Systèmes d'information": "Développeuse",
    "Opérations": "Chef de projet junior", "Ventes": "Commercial junior",
}

# Named people with fixed addresses: the demo logins.
DEMO_ACCOUNTS = [
    # (email local part, first, last, role label, flags)
    ("philippe.garnier", "Philippe", "Garnier", "executive", {"is_executive": True}),
    ("claire.dubois", "Claire", "Dubois", "HR lead (coordinates every programme)", {"is_coordinator": True, "is_hr_lead": True}),
    ("julien.roche", "Julien", "Roche", "coordinator of the demo programme only", {"is_coordinator": True}),
    ("bernard.lefevre", "Bernard", "Lefèvre", "mentee (senior)", {}),
    ("lea.moreau", "Léa", "Moreau", "mentor (junior)", {}),
    ("sophie.laurent", "Sophie", "Laurent", "sponsor (director)", {}),
]
SUPERUSER_EMAIL = f"admin@{DOMAIN}"

# Apps above the core add their demo data here (``AppConfig.ready``), in INSTALLED_APPS order:
# ``seeder(stdout) -> None``, idempotent like the rest.
SEEDERS: list = []


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace(" ", "-")


def company_rows() -> list[dict]:
    """About 300 employees over 6 levels, 7 departments and 6 sites. Same output on every call."""
    rng = random.Random(2026)
    rows: list[dict] = []
    used_emails: set[str] = set()
    counter = [0]

    def person(first, last, manager, level, department, site, title, *, email=None, language="fr", hired=None, left=""):
        counter[0] += 1
        eid = f"E{counter[0]:05d}"
        if email is None:
            base = f"{_ascii(first)}.{_ascii(last)}"
            email, n = base, 1
            while email in used_emails:
                n += 1
                email = f"{base}{n}"
        used_emails.add(email)
        if hired is None:
            years = {6: 20, 5: 15, 4: 12, 3: 9, 2: 5, 1: 2}[level]
            hired = datetime.date(2025, 9, 1) - datetime.timedelta(days=rng.randint(60, 365 * years))
        rows.append({
            "employee_id": eid, "first_name": first, "last_name": last, "email": f"{email}@{DOMAIN}",
            "manager_id": manager or "", "department": department, "site": site, "job_title": title,
            "job_level": level, "language": language, "hire_date": hired.isoformat(), "leave_date": left,
        })
        return eid

    def random_name():
        return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)

    ceo = person("Philippe", "Garnier", None, 6, "Direction générale", "Paris", "Directeur général",
                 email="philippe.garnier")
    person("Martine", "Roux", ceo, 3, "Direction générale", "Paris", "Assistante de direction")
    for index, (department, director_title) in enumerate(DEPARTMENTS):
        if department == "Opérations":
            director = person("Bernard", "Lefèvre", ceo, 5, department, "Paris", director_title, email="bernard.lefevre")
        elif department == "Marketing et communication":
            director = person("Sophie", "Laurent", ceo, 5, department, "Paris", director_title, email="sophie.laurent")
        else:
            first, last = random_name()
            director = person(first, last, ceo, 5, department, "Paris", director_title)
        for head_index in range(3):
            site = SITES[(index + head_index) % len(SITES)]
            if department == "Ressources humaines" and head_index == 0:
                head = claire = person("Claire", "Dubois", director, 4, department, "Paris", "Responsable développement RH",
                                       email="claire.dubois")
            else:
                first, last = random_name()
                head = person(first, last, director, 4, department, site, TITLES[4])
            for _manager_index in range(2 if head_index else 3):
                first, last = random_name()
                manager = person(first, last, head, 3, department, site, TITLES[3],
                                 language="en" if rng.random() < 0.1 else "fr")
                for _report in range(rng.randint(2, 3)):
                    first, last = random_name()
                    person(first, last, manager, 2, department, site, TITLES[2],
                           language="en" if rng.random() < 0.1 else "fr")
                for junior_index in range(rng.randint(2, 3)):
                    if department == "Marketing et communication" and head_index == 1 and junior_index == 0 and not any(
                        r["email"].startswith("lea.moreau@") for r in rows
                    ):
                        person("Léa", "Moreau", manager, 1, department, "Lyon", "Community manager", email="lea.moreau",
                               hired=datetime.date(2024, 9, 2))
                        continue
                    first, last = random_name()
                    left = "2025-06-30" if rng.random() < 0.03 else ""
                    person(first, last, manager, 1, department, site, JUNIOR_TITLES[department],
                           language="en" if rng.random() < 0.1 else "fr", left=left)
    # Last, so the random names above stay the same: a coordinator of one programme only.
    person("Julien", "Roche", claire, 3, "Ressources humaines", "Lyon", "Chargé de programmes RH", email="julien.roche")
    return rows


def company_csv() -> bytes:
    buffer = io.StringIO()
    rows = company_rows()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")
