"""The start page: what Tandem is, and the way in."""

from litestar import get
from litestar.response import Template


@get("/", include_in_schema=False)
async def start_page() -> Template:
    return Template(template_name="start.html", context={})
