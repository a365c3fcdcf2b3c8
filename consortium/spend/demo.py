"""A demo spend file for Moorside Primary School: payments matched by Companies House number,
by VAT number and by name, one to a supplier whose name the finance system misspells (waiting
for the buyer to confirm it), and spend with suppliers off contract."""

from __future__ import annotations

from consortium.organisations.acting import actor_for
from consortium.organisations.models import Organisation, Person
from consortium.spend.models import SpendFile
from consortium.spend.services import spend_file_import


def load_spend_demo() -> None:
    moorside = Organisation.objects.get(name="Moorside Primary School")
    if SpendFile.objects.filter(organisation=moorside).exists():
        return
    actor = actor_for(Person.objects.get(email="buyer@moorside.example"), moorside.pk)
    assert actor is not None
    midlands = Organisation.objects.get(name="Midlands Office Supplies Ltd")
    rows = [
        "supplier,date,amount,description,company_number,vat_number",
        f"MOS LTD,2026-09-03,412.50,Copier paper and toner,{midlands.identifier},",
        f"Midlands Office,2026-10-01,96.00,Exercise books,,{midlands.vat_number}",
        "Midlands Ofice Supplies,2026-10-15,58.20,Sticky notes,,",
        "Midlands Ofice Supplies,2026-11-02,120.00,Whiteboard markers,,",
        "Leek Cleaning Services,2026-09-20,1450.00,Cleaning materials and hand towels,,",
        "Staffs Catering Co,2026-10-05,2310.75,School meals ingredients,,",
        "Staffs Catering Co,2026-11-05,2288.40,School meals ingredients,,",
        "PC World Business,2026-10-12,899.00,Laptop for the office,,",
    ]
    spend_file_import(
        actor=actor, content=("\n".join(rows) + "\n").encode(), filename="moorside-ap-autumn.csv"
    )
