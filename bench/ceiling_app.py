"""The ceiling: a bare FastAPI JSON endpoint, served by the same uvicorn, measured with the same load generator."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/json")
async def json_endpoint() -> dict[str, object]:
    return {"status": "ok", "items": [1, 2, 3]}
