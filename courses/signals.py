"""Signals for changes that courses.services makes with ``QuerySet.update`` (which sends none)."""

from django.dispatch import Signal

# A learner opened the first lesson of an enrolment: it is now in progress. Sent with
# ``enrolment`` (the Enrolment, with ``started_at`` set).
enrolment_started = Signal()
