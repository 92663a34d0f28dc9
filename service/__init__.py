"""dateline service: the faceted search page and its JSON API, on top of the article alias."""
