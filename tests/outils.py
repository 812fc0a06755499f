"""Small helpers shared by the test modules."""

import html


def texte(response) -> str:
    """The body of a Django test ``response`` as text, HTML entities unescaped (« l'État » rather than
    « l&#x27;État »): what assertions on a page's wording read."""
    return html.unescape(response.content.decode())
