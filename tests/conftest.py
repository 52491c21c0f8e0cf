import pytest
from wagtail.models import Page, Site

from cms.models import HomePage
from courses.models import CoursePage, LessonPage, ModulePage
from tests.factories import StatisticFactory, UserFactory


@pytest.fixture
def home_page(db):
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="Training home", slug="training-home"))
    Site.objects.update_or_create(is_default_site=True, defaults={"hostname": "localhost", "root_page": home})
    return home


@pytest.fixture
def course_page(home_page):
    return home_page.add_child(
        instance=CoursePage(title="Safeguarding children", slug="safeguarding-children")
    )


@pytest.fixture
def module_page(course_page):
    return course_page.add_child(
        instance=ModulePage(title="Online safety", slug="online-safety", duration_minutes=90)
    )


@pytest.fixture
def make_lesson(module_page):
    """Create a published lesson in the module; ``body`` is raw StreamField data."""
    counter = iter(range(1, 10_000))

    def make(body=(), **fields):
        number = next(counter)
        fields.setdefault("title", f"Lesson {number}")
        fields.setdefault("slug", f"lesson-{number}")
        return module_page.add_child(instance=LessonPage(body=list(body), **fields))

    return make


@pytest.fixture
def statistic(db):
    return StatisticFactory()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def make_role_user(db):
    """A new user in one of the admin groups of cms.roles (made by a migration)."""
    from django.contrib.auth.models import Group

    def make(role, **fields):
        user = UserFactory(**fields)
        user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def trainer(make_role_user):
    return make_role_user("Trainer")


@pytest.fixture
def lead_trainer(make_role_user):
    return make_role_user("Lead trainer")


@pytest.fixture
def platform_staff(make_role_user):
    return make_role_user("Platform staff")


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def trainer_client(client, trainer):
    """A signed-in trainer: sees every lesson without an enrolment."""
    client.force_login(trainer)
    return client


@pytest.fixture
def lead_client(client, lead_trainer):
    client.force_login(lead_trainer)
    return client


@pytest.fixture
def staff_client(client, platform_staff):
    """A signed-in member of platform staff: providers, orders, enrolments, certificates."""
    client.force_login(platform_staff)
    return client


@pytest.fixture
def learner(db):
    return UserFactory()


@pytest.fixture
def enrolment(learner, module_page):
    from courses.models import Enrolment
    from courses.services import enrol

    return enrol(learner, module_page, source=Enrolment.Source.DEMO)


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client


@pytest.fixture(autouse=True)
def clear_cache():
    """Rate-limit counters live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
