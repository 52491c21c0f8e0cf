"""The course tree only grows in the shape the site expects: Home > Course > Module > Lesson."""

from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from cms.models import HomePage, StandardPage
from courses.models import CoursePage, LessonPage, ModulePage
from quizzes.models import QuizPage


class PageTreeRulesTest(WagtailPageTestCase):
    def test_course_pages_live_under_the_home_page_only(self):
        self.assertAllowedParentPageTypes(CoursePage, {HomePage})
        self.assertAllowedSubpageTypes(CoursePage, {ModulePage})

    def test_modules_live_under_courses_and_hold_lessons(self):
        self.assertAllowedParentPageTypes(ModulePage, {CoursePage})
        self.assertAllowedSubpageTypes(ModulePage, {LessonPage, QuizPage})
        self.assertAllowedParentPageTypes(QuizPage, {ModulePage})
        self.assertAllowedSubpageTypes(QuizPage, set())

    def test_lessons_live_under_modules_and_have_no_children(self):
        self.assertAllowedParentPageTypes(LessonPage, {ModulePage})
        self.assertAllowedSubpageTypes(LessonPage, set())

    def test_home_page_sits_at_the_root(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertAllowedSubpageTypes(HomePage, {CoursePage, StandardPage})
        self.assertCanNotCreateAt(HomePage, LessonPage)
        self.assertCanNotCreateAt(HomePage, ModulePage)
        self.assertCanNotCreateAt(CoursePage, LessonPage)

    def test_only_one_quiz_per_module(self):
        root = Page.get_first_root_node()
        home = root.add_child(instance=HomePage(title="Home", slug="quiz-home"))
        course = home.add_child(instance=CoursePage(title="Course", slug="course"))
        module = course.add_child(instance=ModulePage(title="Module", slug="module"))
        self.assertTrue(QuizPage.can_create_at(module))
        module.add_child(instance=QuizPage(title="Quiz", slug="quiz"))

        self.assertFalse(QuizPage.can_create_at(module))

    def test_only_one_home_page(self):
        root = Page.get_first_root_node()
        root.add_child(instance=HomePage(title="Home", slug="only-home"))

        self.assertFalse(HomePage.can_create_at(root))
