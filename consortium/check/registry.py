"""Every stream of cases the product holds, as each system declares it (its `streams.py`)."""

from __future__ import annotations

from consortium.care.streams import STREAMS as CARE
from consortium.citizen.streams import STREAMS as CITIZEN
from consortium.contacts.streams import STREAMS as CONTACTS
from consortium.core.streams import Stream
from consortium.orders.streams import STREAMS as ORDERS
from consortium.payments.streams import STREAMS as PAYMENTS
from consortium.tendering.streams import STREAMS as TENDERING

STREAMS: dict[str, Stream] = {s.key: s for s in [*CITIZEN, *CONTACTS, *ORDERS, *TENDERING, *CARE, *PAYMENTS]}
