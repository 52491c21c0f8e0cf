"""Where a learner is in a module, worked out from the lessons and their progress rows.

Pure functions over data already loaded: no queries here, so pages stay at a fixed query count."""

from dataclasses import dataclass
from datetime import timedelta

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
DONE = "done"
LOCKED = "locked"

STATE_LABELS = {
    NOT_STARTED: "Not started",
    IN_PROGRESS: "In progress",
    DONE: "Done",
    LOCKED: "Locked",
}


@dataclass(frozen=True)
class LessonState:
    lesson: object
    number: int
    state: str
    progress: object = None

    @property
    def label(self):
        return STATE_LABELS[self.state]

    @property
    def is_locked(self):
        return self.state == LOCKED

    @property
    def is_done(self):
        return self.state == DONE


@dataclass(frozen=True)
class ModuleProgress:
    lessons: list  # of LessonState, in order
    in_order: bool

    @property
    def total(self):
        return len(self.lessons)

    @property
    def done(self):
        return sum(1 for item in self.lessons if item.is_done)

    @property
    def percent(self):
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def is_complete(self):
        return self.total > 0 and self.done == self.total

    @property
    def has_started(self):
        return any(item.state in {DONE, IN_PROGRESS} for item in self.lessons)

    @property
    def next_lesson(self):
        """The first lesson not yet done: where Start or Continue takes the learner."""
        return next((item.lesson for item in self.lessons if not item.is_done), None)

    @property
    def time_spent(self):
        return sum((item.progress.time_spent for item in self.lessons if item.progress), timedelta())

    def state_of(self, lesson):
        return next((item for item in self.lessons if item.lesson.pk == lesson.pk), None)

    def blocking_lesson(self, lesson):
        """The earlier lesson that must be finished before ``lesson`` opens, if any."""
        if not self.in_order:
            return None
        for item in self.lessons:
            if item.lesson.pk == lesson.pk:
                return None
            if not item.is_done:
                return item.lesson
        return None


def module_progress(lessons, progress_by_lesson, *, in_order):
    """``lessons`` in order; ``progress_by_lesson`` maps lesson id to its LessonProgress."""
    states, blocked = [], False
    for number, lesson in enumerate(lessons, start=1):
        progress = progress_by_lesson.get(lesson.pk)
        if progress and progress.completed_at:
            state = DONE
        elif in_order and blocked:
            state = LOCKED
        elif progress:
            state = IN_PROGRESS
        else:
            state = NOT_STARTED
        if state != DONE:
            blocked = True
        states.append(LessonState(lesson=lesson, number=number, state=state, progress=progress))
    return ModuleProgress(lessons=states, in_order=in_order)
