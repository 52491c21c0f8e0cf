from django.db import migrations

from cms.roles import apply_roles, remove_wagtail_default_roles


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("cms", "0002_statistic_review"),
        ("quizzes", "0002_question_review"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailimages", "0027_image_description"),
    ]

    operations = [
        migrations.RunPython(apply_roles, migrations.RunPython.noop),
        migrations.RunPython(remove_wagtail_default_roles, migrations.RunPython.noop),
    ]
