from datetime import date, timedelta
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from cms.models import Statistic
from users.models import User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    certificate_name = factory.Faker("name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        """Users are verified by default: allauth's mandatory verification would block them."""
        if create:
            self.save()
            if extracted is not False:
                EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class StatisticFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Statistic

    label = factory.Sequence(lambda n: f"Recorded offences, measure {n}")
    value = Decimal("33000")
    unit = Statistic.Unit.COUNT
    qualifier = Statistic.Qualifier.EXACT
    period = "2022/23"
    geography = "UK, 35 police forces"
    basis_note = ""
    source_title = "NSPCC news release"
    source_url = "https://www.nspcc.org.uk/about-us/news-opinion/"
    source_published = date(2024, 3, 1)
    review_by = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=180))


def callout_block(statistic, context=""):
    return {"type": "statistic_callout", "value": {"statistic": statistic.pk, "context": context}}


def chart_block(statistics, title="Platforms named in offences", caption=""):
    return {
        "type": "statistic_chart",
        "value": {"title": title, "caption": caption, "statistics": [s.pk for s in statistics]},
    }
