from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify_code, name="verify_code"),
    path("certificates/<uuid:pk>/download/", views.download, name="download"),
    path("certificates/preview/", views.preview, name="preview"),
    path("certificates/<uuid:pk>/renew/", views.renew, name="renew"),
    path("my-certificates/", views.my_certificates, name="mine"),
    path("my-certificates/share-links/", views.share_link_create, name="share_link_create"),
    path("my-certificates/share-links/<int:pk>/withdraw/", views.share_link_revoke, name="share_link_revoke"),
    path("record/<str:token>/", views.shared_record, name="shared_record"),
]
