"""`make bench`: run every benchmark in turn and print its figures."""

from __future__ import annotations

from bench import (
    api_list,
    care,
    check,
    citizen,
    contacts,
    directory,
    invoices,
    marketplace,
    payments,
    savings,
    sustainability,
    tendering,
)

BENCHMARKS = [
    ("Foundation: scoped API list vs /healthz", api_list.main),
    ("Care price benchmarking: quoting and statistics", care.main),
    ("Marketplace: search, checkouts, MI", marketplace.main),
    ("Marketplace: 10,000 e-invoices checked, matched and stored", invoices.main),
    ("Collaborative tendering: evaluation and OCDS", tendering.main),
    ("Shared citizen services: Open311 intake, queue, figures", citizen.main),
    ("Contact routing: decisions, the integration API, assignment, figures", contacts.main),
    ("Joined-up directory: search over 200,000 people, LDAP sync", directory.main),
    ("Payments: the public flow under load, reconciling a day of 100,000", payments.main),
    (
        "Savings and cost sharing: reports over 100,000 entries and 5,000,000 order lines, apportionment",
        savings.main,
    ),
    ("Sustainable procurement: carbon MI over 5,000,000 order lines", sustainability.main),
    ("Service check: a capability chart over 1,000,000 cases, XmR over 1,000,000 values", check.main),
]


def main() -> None:
    for title, run in BENCHMARKS:
        print(f"\n== {title} ==")
        run()


if __name__ == "__main__":
    main()
