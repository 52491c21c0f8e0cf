"""The admin roles, as Wagtail groups, and the review workflow every content change goes through.

A migration applies them (``apply_roles``); to change a role, edit it here and add a migration that
calls ``apply_roles`` again: it sets each group's permissions to exactly what is listed.

- Trainer: edits course pages, statistics, questions, images and documents; cannot publish, and
  sees no provider, order or learner.
- Lead trainer: everything a trainer does, plus publishing, deleting content, approving changes
  sent for review, and the site's signposting and certificate settings.
- Platform staff: providers, seat orders (marking invoices paid), price tiers, billing settings,
  enrolments, certificates (revoking), failed background jobs (retrying) and the reports about
  them; no content editing.
"""

TRAINER = "Trainer"
LEAD_TRAINER = "Lead trainer"
PLATFORM_STAFF = "Platform staff"
REVIEW_WORKFLOW = "Lead trainer review"
REVIEW_TASK = "Lead trainer approval"

ADMIN_ACCESS = [("wagtailadmin", "admin", "access_admin")]

_TRAINER_MODEL_PERMISSIONS = [
    ("cms", "statistic", "add_statistic"),
    ("cms", "statistic", "change_statistic"),
    ("cms", "statistic", "view_statistic"),
    ("cms", "statistic", "lock_statistic"),
    ("quizzes", "question", "add_question"),
    ("quizzes", "question", "change_question"),
    ("quizzes", "question", "view_question"),
    ("quizzes", "question", "lock_question"),
]

_LEAD_MODEL_PERMISSIONS = [
    ("cms", "statistic", "publish_statistic"),
    ("cms", "statistic", "delete_statistic"),
    ("cms", "statistic", "unlock_statistic"),
    ("quizzes", "question", "publish_question"),
    ("quizzes", "question", "delete_question"),
    ("quizzes", "question", "unlock_question"),
    ("cms", "signpostingsettings", "change_signpostingsettings"),
    ("certificates", "certificatesettings", "change_certificatesettings"),
]

_PLATFORM_MODEL_PERMISSIONS = [
    ("providers", "provider", "view_provider"),
    ("providers", "provider", "change_provider"),
    ("providers", "seatorder", "view_seatorder"),
    ("providers", "seatorder", "change_seatorder"),
    ("providers", "pricetier", "add_pricetier"),
    ("providers", "pricetier", "change_pricetier"),
    ("providers", "pricetier", "delete_pricetier"),
    ("providers", "pricetier", "view_pricetier"),
    ("providers", "billingsettings", "change_billingsettings"),
    # Read-only, so the seat and invitation entries of the audit log show in their site history.
    ("providers", "seatassignment", "view_seatassignment"),
    ("providers", "invitation", "view_invitation"),
    ("courses", "enrolment", "add_enrolment"),
    ("courses", "enrolment", "change_enrolment"),
    ("courses", "enrolment", "view_enrolment"),
    ("certificates", "certificate", "change_certificate"),
    ("certificates", "certificate", "view_certificate"),
    # Background jobs that failed (emails, certificate PDFs): seen, and retried, by platform staff.
    ("cms", "taskfailure", "view_taskfailure"),
    ("cms", "taskfailure", "retry_taskfailure"),
]

ROLES = {
    TRAINER: {
        "model": ADMIN_ACCESS + _TRAINER_MODEL_PERMISSIONS,
        "pages": ["add_page", "change_page", "lock_page"],
        "collections": [
            "add_image",
            "change_image",
            "choose_image",
            "add_document",
            "change_document",
            "choose_document",
        ],
    },
    LEAD_TRAINER: {
        "model": ADMIN_ACCESS + _TRAINER_MODEL_PERMISSIONS + _LEAD_MODEL_PERMISSIONS,
        "pages": ["add_page", "change_page", "lock_page", "unlock_page", "publish_page", "bulk_delete_page"],
        "collections": [
            "add_image",
            "change_image",
            "delete_image",
            "choose_image",
            "add_document",
            "change_document",
            "delete_document",
            "choose_document",
        ],
    },
    PLATFORM_STAFF: {
        "model": ADMIN_ACCESS + _PLATFORM_MODEL_PERMISSIONS,
        "pages": [],
        "collections": [],
    },
}

# Content whose changes wait for a lead trainer's approval, besides every page of the site.
REVIEWED_SNIPPETS = [("cms", "statistic"), ("quizzes", "question")]

_COLLECTION_APPS = {"image": "wagtailimages", "document": "wagtaildocs"}


def _permission(apps, app_label, model, codename):
    """The Permission row, created if it does not exist yet (Django and Wagtail make most of them
    after migrating, so a fresh database may not have them when this runs)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    action = codename.split("_", 1)[0].replace("bulk", "bulk delete")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename=codename,
        defaults={"name": f"Can {action} {model}"[:255]},
    )
    return permission


def apply_roles(apps, schema_editor=None):
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    root_page = Page.objects.filter(depth=1).order_by("path").first()
    root_collection = Collection.objects.filter(depth=1).order_by("path").first()

    groups = {}
    for name, role in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        groups[name] = group
        group.permissions.set([_permission(apps, *spec) for spec in role["model"]])

        GroupPagePermission.objects.filter(group=group).delete()
        for codename in role["pages"]:
            GroupPagePermission.objects.create(
                group=group, page=root_page, permission=_permission(apps, "wagtailcore", "page", codename)
            )
        GroupCollectionPermission.objects.filter(group=group).delete()
        for codename in role["collections"]:
            model = codename.split("_", 1)[1]
            GroupCollectionPermission.objects.create(
                group=group,
                collection=root_collection,
                permission=_permission(apps, _COLLECTION_APPS[model], model, codename),
            )

    _apply_review_workflow(apps, root_page, groups[LEAD_TRAINER])


def _apply_review_workflow(apps, root_page, lead_trainers):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    WorkflowContentType = apps.get_model("wagtailcore", "WorkflowContentType")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")

    task = GroupApprovalTask.objects.filter(name=REVIEW_TASK).first()
    if task is None:
        task = GroupApprovalTask.objects.create(
            name=REVIEW_TASK,
            active=True,
            content_type=ContentType.objects.get_or_create(
                app_label="wagtailcore", model="groupapprovaltask"
            )[0],
        )
    task.groups.set([lead_trainers])

    workflow, _ = Workflow.objects.get_or_create(name=REVIEW_WORKFLOW, defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    # The whole page tree, replacing Wagtail's default "Moderators approval" on the root.
    WorkflowPage.objects.update_or_create(page=root_page, defaults={"workflow": workflow})
    for app_label, model in REVIEWED_SNIPPETS:
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        WorkflowContentType.objects.update_or_create(
            content_type=content_type, defaults={"workflow": workflow}
        )


def remove_wagtail_default_roles(apps, schema_editor=None):
    """Wagtail's starter "Editors" and "Moderators" groups and "Moderators approval" workflow, which
    the roles above replace, while nobody uses them."""
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    Task = apps.get_model("wagtailcore", "Task")
    for workflow in Workflow.objects.filter(name="Moderators approval"):
        if not (workflow.workflow_pages.exists() or workflow.workflow_content_types.exists()):
            Task.objects.filter(workflow_tasks__workflow=workflow, name="Moderators approval").delete()
            workflow.delete()
    Group.objects.filter(name__in=["Editors", "Moderators"], user__isnull=True).delete()
