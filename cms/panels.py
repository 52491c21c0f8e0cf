from wagtail.admin.panels import Panel


class ReviewStatusPanel(Panel):
    """Warns a trainer, at the top of the edit form, that a statistic is past its review date."""

    @property
    def clean_name(self):
        return super().clean_name or "review_status"

    class BoundPanel(Panel.BoundPanel):
        template_name = "cms/panels/review_status.html"

        def is_shown(self):
            instance = self.instance
            return bool(instance and instance.pk and instance.is_past_review)
