import pytest


@pytest.fixture(autouse=True)
def framework(db: None) -> None:
    """The Flexible Framework's criteria, which a migration loads: a transactional test elsewhere
    may have flushed them, so each test here makes sure they are there."""
    from consortium.sustainability.services import load_framework

    load_framework()
