from decimal import Decimal

import pytest

from providers import services
from providers.models import Membership, PriceTier, SeatOrder
from tests.factories import UserFactory


@pytest.fixture
def price_tiers(db):
    """1-9 seats £25, 10-49 £20, 50+ £15 (before VAT at the default 20%)."""
    return [
        PriceTier.objects.create(min_quantity=1, unit_price=Decimal("25.00")),
        PriceTier.objects.create(min_quantity=10, unit_price=Decimal("20.00")),
        PriceTier.objects.create(min_quantity=50, unit_price=Decimal("15.00")),
    ]


@pytest.fixture
def manager(db):
    return UserFactory(email="manager@acorns.example", certificate_name="Ann Acorn")


@pytest.fixture
def provider(manager):
    """Little Acorns Nursery, owned by ``manager``."""
    return services.create_provider(
        owner=manager,
        name="Little Acorns Nursery",
        kind="nursery",
        billing_name="Ann Acorn",
        billing_email="accounts@acorns.example",
        billing_address="1 Oak Lane\nLeeds LS1 1AA",
    )


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def other_provider(db):
    """A second provider with its own owner: everything of it must be 404 to ``manager``."""
    owner = UserFactory(email="owner@bluebells.example", certificate_name="Bo Bell")
    return services.create_provider(
        owner=owner,
        name="Bluebells Pre-school",
        kind="pre_school",
        billing_name="Bo Bell",
        billing_email="bo@bluebells.example",
    )


@pytest.fixture
def paid_order(provider, module_page, manager, price_tiers):
    """``seats`` paid seats for the module: paid_order(seats=12)."""

    def make(seats=10, target=None):
        order = services.place_order(
            target or provider, module_page, seats, method=SeatOrder.Method.INVOICE, placed_by=manager
        )
        services.fulfil_order(order, actor=manager)
        return order

    return make


@pytest.fixture
def staff_member(provider):
    """A learner who belongs to ``provider`` (without a seat)."""
    user = UserFactory()
    Membership.objects.create(provider=provider, user=user, role=Membership.Role.LEARNER)
    return user
