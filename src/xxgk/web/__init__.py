"""The reviewers' workbench (`xxgk serve`): a FastAPI app over the review library (xxgk.review).

    from xxgk.web import create_app, Settings
    app = create_app(Settings(db="xxgk.sqlite"))     # then: uvicorn.run(app, host="127.0.0.1")
"""

from xxgk.web.app import create_app
from xxgk.web.settings import Settings

__all__ = ["Settings", "create_app"]
