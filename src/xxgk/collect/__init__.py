"""`xxgk collect`: annual reports from government websites into the store, politely and resumably.

    from xxgk.store import Store
    from xxgk.collect import collect, Options, publication

    with Store.open("corpus.sqlite") as store:
        summary = collect(["https://www.example.gov.cn/col/col123/index.html"], store, Options(since=2022))
        pub = publication(store, sha256)      # URL, final URL, fetch time, HTTP answer, title, published

Modules: `fetch` (the polite HTTP client), `pages` (decoding, links), `listing` (column list
pages of the CMS families), `article` (article metadata, attachments, file names), `state` and
`schema` (the collector's tables), `published` (what the rules and the audit read), `run`
(the run itself). See docs/collect.md.
"""

from xxgk.collect.fetch import Fetcher, FetchError
from xxgk.collect.published import (
    Publication,
    apply,
    apply_date,
    publication,
    publications,
    published_dates,
    stamp,
)
from xxgk.collect.run import Column, Event, Failure, Options, Summary, collect

__all__ = [
    "Column",
    "Event",
    "Failure",
    "FetchError",
    "Fetcher",
    "Options",
    "Publication",
    "Summary",
    "apply",
    "apply_date",
    "collect",
    "publication",
    "publications",
    "published_dates",
    "stamp",
]
