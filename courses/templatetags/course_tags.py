from django import template

register = template.Library()


@register.filter
def learning_time(duration):
    """A timedelta as a learner reads it: '1 hour 5 minutes', 'less than a minute'."""
    minutes = int(duration.total_seconds() // 60)
    if minutes < 1:
        return "less than a minute"
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)
