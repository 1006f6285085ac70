"""documented-api starter: a FastAPI app that starts and has no routes yet. Make it pass the brief.

FastAPI already serves its generated OpenAPI document at GET /openapi.json (and a browsable
version at /docs): open it while you work to see what your code documents.
"""

import os

import uvicorn
from fastapi import FastAPI

app = FastAPI(title="Bookmarks API", version="1.0.0")

# TODO: pydantic models for a new bookmark (url: HttpUrl, title of 1 to 200 characters, optional
# tags), for a PATCH body (every field optional) and for a bookmark as the API answers it.
# TODO: keep the bookmarks in memory (a dict from id to bookmark) and add the routes of the brief:
# POST /bookmarks (status_code=201), GET /bookmarks (with an optional tag query parameter),
# GET, PATCH and DELETE /bookmarks/{bookmark_id}. Declare the 404 each of the last three can
# return with responses={404: {...}}, so that the document lists it.


if __name__ == "__main__":
    uvicorn.run(app, host=os.environ.get("HOST", "0.0.0.0"), port=int(os.environ.get("PORT", "8000")))
