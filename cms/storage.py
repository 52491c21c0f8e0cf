"""Where media files (certificate PDFs, images, documents) live when several machines serve the
site: S3-compatible object storage through django-storages. Read by the settings, so nothing here
imports a model."""


def s3_media_storage(bucket, *, endpoint_url=None, region=None, prefix=""):
    """The STORAGES["default"] entry for a private bucket. Files are never public: each link the site
    hands out is signed and expires after five minutes, and a file is never silently replaced.
    Credentials come from the usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY environment."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,
            "region_name": region or None,
            "location": prefix,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
        },
    }


def origin(url):
    """'https://host:port' of a URL, for the Content Security Policy."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
