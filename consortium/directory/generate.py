"""Made-up people for the demo, the tests and the benchmarks: names drawn with the rough
frequencies of names in England and Wales (the commonest forenames and surnames of recent
ONS and census lists, weighted by rank), departments and job titles as councils, police and
fire services have them. No real person is described; telephone numbers are in Ofcom's
ranges reserved for drama (01632 960xxx, 07700 900xxx)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

FORENAMES = [
    "Oliver",
    "George",
    "Harry",
    "Jack",
    "Jacob",
    "Noah",
    "Charlie",
    "Thomas",
    "Oscar",
    "William",
    "James",
    "Henry",
    "Leo",
    "Alfie",
    "Joshua",
    "Freddie",
    "Archie",
    "Ethan",
    "Isaac",
    "Alexander",
    "Joseph",
    "Edward",
    "Samuel",
    "Max",
    "Daniel",
    "Arthur",
    "Lucas",
    "Mohammed",
    "Logan",
    "Theo",
    "David",
    "John",
    "Paul",
    "Mark",
    "Andrew",
    "Richard",
    "Robert",
    "Michael",
    "Stephen",
    "Peter",
    "Christopher",
    "Ian",
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Emily",
    "Isabella",
    "Mia",
    "Poppy",
    "Ella",
    "Lily",
    "Jessica",
    "Sophie",
    "Grace",
    "Evie",
    "Charlotte",
    "Sarah",
    "Susan",
    "Elizabeth",
    "Margaret",
    "Helen",
    "Julie",
    "Karen",
    "Emma",
    "Claire",
    "Rachel",
    "Rebecca",
    "Laura",
    "Catherine",
    "Victoria",
    "Nicola",
    "Joanne",
    "Amy",
    "Hannah",
    "Lucy",
    "Katherine",
    "Deborah",
    "Patricia",
    "Jennifer",
    "Priya",
    "Aisha",
    "Fatima",
]
SURNAMES = [
    "Smith",
    "Jones",
    "Williams",
    "Taylor",
    "Brown",
    "Davies",
    "Evans",
    "Wilson",
    "Thomas",
    "Johnson",
    "Roberts",
    "Robinson",
    "Thompson",
    "Wright",
    "Walker",
    "White",
    "Edwards",
    "Hughes",
    "Green",
    "Hall",
    "Lewis",
    "Harris",
    "Clarke",
    "Patel",
    "Jackson",
    "Wood",
    "Turner",
    "Martin",
    "Cooper",
    "Hill",
    "Ward",
    "Morris",
    "Moore",
    "Clark",
    "Lee",
    "King",
    "Baker",
    "Harrison",
    "Morgan",
    "Allen",
    "James",
    "Scott",
    "Phillips",
    "Watson",
    "Davis",
    "Parker",
    "Price",
    "Bennett",
    "Young",
    "Griffiths",
    "Mitchell",
    "Kelly",
    "Cook",
    "Carter",
    "Richardson",
    "Bailey",
    "Collins",
    "Bell",
    "Shaw",
    "Murphy",
    "Miller",
    "Cox",
    "Richards",
    "Khan",
    "Marshall",
    "Anderson",
    "Simpson",
    "Ellis",
    "Adams",
    "Singh",
    "Begum",
    "Wilkinson",
    "Foster",
    "Chapman",
    "Powell",
    "Webb",
    "Rogers",
    "Gray",
    "Mason",
    "Ali",
    "Hunt",
    "Hussain",
    "Campbell",
    "Matthews",
    "Owen",
    "Palmer",
    "Holmes",
    "Mills",
    "Barnes",
    "Knight",
    "Lloyd",
    "Butler",
    "Russell",
    "Barker",
    "Fisher",
    "Stevens",
    "Jenkins",
    "Murray",
    "Dixon",
    "Harvey",
    "Graham",
    "Pearson",
    "Ahmed",
    "Fletcher",
    "Walsh",
    "Kaur",
    "Gibson",
    "Howard",
    "Andrews",
    "Stewart",
    "Elliott",
    "Reynolds",
    "Saunders",
    "Payne",
    "Fox",
    "Ford",
    "Pearce",
    "Day",
    "Brooks",
    "West",
    "Lawrence",
    "Cole",
    "Atkinson",
    "Bradley",
    "Spencer",
    "Gill",
    "Dawson",
    "Ball",
    "Burton",
    "O'Brien",
    "Watts",
    "Rose",
    "Booth",
    "Perry",
    "Ryan",
    "Grant",
    "Wells",
    "Armstrong",
    "Francis",
    "Rees",
    "Hayes",
    "Hart",
    "Hudson",
    "Newman",
    "Barrett",
    "Webster",
    "Hunter",
    "Gregory",
    "Carr",
    "Lowe",
    "Page",
    "Marsh",
    "Riley",
    "Dunn",
    "Woods",
    "Parsons",
    "Berry",
    "Stone",
    "Reid",
    "Holland",
    "Hawkins",
    "Harding",
    "Porter",
    "Robertson",
    "Newton",
    "Oliver",
    "Reed",
    "Kennedy",
]
# The long tail: most people in a large directory have a surname shared by few others, so
# about two in three are drawn from place-name surnames built from common English elements.
_FIRST = "Ash Brad Chad Ather Black Brom Craw Dun Elling Farn Gold Hat Hol Ketter Lang Mar Nor Oak Pen Rad Shel Stan Thorn Wake Whit Wood Hartle Kings Led Mid".split()
_LAST = "ley ford worth ton field wood ham by well shaw bury stone ridge croft wick".split()
TAIL = [a + b for a in _FIRST for b in _LAST]
SHORT = {"Robert": "Bob", "William": "Bill", "Catherine": "Kate", "Elizabeth": "Liz", "Christopher": "Chris"}

# (department, team, job title, job function, service types)
COUNCIL_ROLES = [
    ("Housing", "Allocations", "Housing Officer", "housing", "Housing;Homelessness"),
    ("Housing", "Tenancy", "Tenancy Sustainment Officer", "housing", "Housing"),
    ("Environment", "Food safety", "Environmental Health Officer", "environmental_health", "Food hygiene"),
    ("Environment", "Waste", "Waste Services Manager", "waste", "Bins and recycling"),
    ("Finance", "Revenues", "Council Tax Officer", "revenues_benefits", "Council tax"),
    ("Finance", "Benefits", "Benefits Assessor", "revenues_benefits", "Housing benefit"),
    ("Finance", "Procurement", "Procurement Officer", "procurement", "Procurement"),
    ("Planning", "Development management", "Planning Officer", "planning", "Planning applications"),
    ("Customer Services", "Contact centre", "Customer Adviser", "customer_services", "Customer contact"),
    ("Legal", "Licensing", "Licensing Officer", "licensing", "Licensing"),
    ("ICT", "Service desk", "ICT Analyst", "ict", "ICT support"),
    ("People", "HR", "HR Adviser", "hr", "Recruitment"),
]
COUNTY_ROLES = [
    ("Adult Social Care", "Commissioning", "Commissioning Manager", "adult_social_care", "Care homes"),
    ("Adult Social Care", "Assessment", "Social Worker", "adult_social_care", "Assessments"),
    ("Children and Families", "Safeguarding", "Social Worker", "childrens_services", "Safeguarding"),
    ("Education", "Admissions", "School Admissions Officer", "education", "School admissions"),
    ("Highways", "Maintenance", "Highways Engineer", "highways", "Potholes;Street lighting"),
    ("Finance", "Procurement", "Category Manager", "procurement", "Procurement"),
    ("Public Health", "Health improvement", "Public Health Practitioner", "health", "Public health"),
    ("Customer Services", "Contact centre", "Customer Adviser", "customer_services", "Customer contact"),
]
POLICE_ROLES = [
    ("Neighbourhood Policing", "Tamworth", "Police Constable", "policing", "Antisocial behaviour"),
    ("Neighbourhood Policing", "Lichfield", "PCSO", "policing", "Antisocial behaviour"),
    ("Contact Management", "Control room", "Call Handler", "customer_services", "Non-emergency calls"),
    ("Partnerships", "Community safety", "Partnership Officer", "policing", "Community safety"),
]
FIRE_ROLES = [
    ("Prevention", "Home safety", "Home Fire Safety Adviser", "fire_and_rescue", "Home safety checks"),
    ("Protection", "Fire safety", "Fire Safety Inspector", "fire_and_rescue", "Business fire safety"),
    ("Operations", "Stafford", "Firefighter", "fire_and_rescue", "Emergency response"),
    ("Resilience", "Planning", "Emergency Planning Officer", "emergency_planning", "Emergency planning"),
]


@dataclass
class Made:
    key: str
    given: str
    family: str
    preferred: str
    email: str
    phone: str
    department: str
    team: str
    title: str
    function: str
    services: str
    location: str
    manager: str  # the key of their manager, or ""


def people(
    n: int,
    *,
    domain: str,
    roles: list[tuple[str, str, str, str, str]],
    seed: int = 1,
    prefix: str = "p",
    area: str = "1632",
) -> Iterator[Made]:
    """`n` people of one agency; every tenth manages the next nine."""
    rng = random.Random(seed)
    # Rank-weighted and flattened: the commonest surname is about 1 in 90 people, as Smith is
    # in England and Wales (ONS); the commonest forename about 1 in 40.
    f_weights = [1 / (i + 30) for i in range(len(FORENAMES))]
    s_weights = [1 / (i + 10) for i in range(len(SURNAMES))]
    used: set[str] = set()
    for i in range(n):
        given = rng.choices(FORENAMES, f_weights)[0]
        family = rng.choices(SURNAMES, s_weights)[0] if rng.random() < 0.35 else rng.choice(TAIL)
        local = f"{given}.{family}".lower().replace("'", "")
        email = f"{local}@{domain}"
        k = 2
        while email in used:
            email = f"{local}{k}@{domain}"
            k += 1
        used.add(email)
        dept, team, title, function, services = roles[i % len(roles)]
        manager = f"{prefix}{(i // 10) * 10}" if i % 10 else ""
        phone = f"0{area} {960000 + (i % 1000):06d}" if area == "1632" else f"0{area} {i % 1000000:06d}"
        yield Made(
            key=f"{prefix}{i}",
            given=given,
            family=family,
            preferred=SHORT.get(given, "") if rng.random() < 0.3 else "",
            email=email,
            phone=phone,
            department=dept,
            team=team,
            title=("Head of " + dept) if i % 10 == 0 else title,
            function="management" if i % 10 == 0 else function,
            services=services,
            location=rng.choice(["Civic Centre", "Town Hall", "Depot", "Headquarters", "Area Office"]),
            manager=manager,
        )
