"""Small helpers shared by the test modules."""

import html


def texte(response) -> str:
    """The body of a Django test ``response`` as text, HTML entities unescaped (« l'État » rather than
    « l&#x27;État »): what assertions on a page's wording read."""
    return html.unescape(response.content.decode())


def contenu(response) -> bytes:
    """The body of a response as bytes, streamed (CSV and XLSX exports) or not."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content
