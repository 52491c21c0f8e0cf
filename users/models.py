from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models


class UserManager(BaseUserManager):
    """Users log in with their email address; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None
    email = models.EmailField("email address", unique=True)
    certificate_name = models.CharField(
        "name as it should appear on certificates",
        max_length=150,
        blank=True,
        help_text="Your full name, exactly as you want it printed on your certificates.",
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        return display_name(self.certificate_name, self.first_name, self.last_name, self.email)

    def get_full_name(self):
        return self.certificate_name or super().get_full_name()

    def get_short_name(self):
        return self.first_name or self.certificate_name or self.email


def display_name(certificate_name, first_name, last_name, email):
    """How a person is shown to others: the name on their certificates, else their name, else email.
    Takes plain values so lists of thousands of people need not build User objects."""
    return certificate_name or f"{first_name} {last_name}".strip() or email
