"""Gzip for the app's own text answers (pages, JSON), where no proxy in front compresses them.

Django's GZipMiddleware compresses every answer that is not already encoded, streamed files
included: a photo, a workbook or a PDF would be gzipped again for nothing and lose its
Content-Length. This one compresses text only. Static files never need it: WhiteNoise serves
their pre-compressed .br/.gz siblings itself.

BREACH: a compressed page that reflects input next to a secret leaks the secret by length. The
portal's one secret in pages is the CSRF token, which Django masks afresh on every response, and
Django's GZipMiddleware pads each compressed body with random bytes (its "Heal The Breach"
mitigation); session cookies are headers, which gzip does not touch.
"""

from django.middleware.gzip import GZipMiddleware

COMPRESSED_TYPES = ("text/", "application/json", "application/javascript", "image/svg+xml")


class TextGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        content_type = response.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if not content_type.startswith(COMPRESSED_TYPES):
            return response
        return super().process_response(request, response)
