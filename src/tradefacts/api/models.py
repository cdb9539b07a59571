"""The request and response shapes the OpenAPI schema documents."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ErrorBody(BaseModel):
    """Every error: one line for the user (``detail``); for invalid parameters also the
    list of what was wrong (``errors``)."""

    detail: str
    errors: list[dict[str, Any]] | None = None


class Fact(BaseModel):
    """A stored fact with its article's id, url, title, date and language
    (``docs/schema.md``, ``article_facts``)."""

    fact_id: str
    article_id: str
    version: int
    doc_id: str
    url: str | None = None
    title: str | None = None
    source: str | None = None
    published: dt.date | None = None
    lang: str | None = None
    indicator: str
    party_a: str
    party_b: str
    period: str | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    value: float
    value_max: float | None = None
    unit: str
    bound: str
    status: str
    growth_value: float | None = None
    growth_value_max: float | None = None
    growth_bound: str | None = None
    product: str | None = None
    evidence_sentence: str
    evidence_start: int
    evidence_end: int
    extractor_version: str
    superseded: bool


class FactDetail(Fact):
    """A fact with the claim it belongs to (every source of the same figure) and its story."""

    claim: dict[str, Any] | None = None
    story_id: str | None = None


class FactsPage(BaseModel):
    total: int = Field(description="Facts matching the filters.")
    page: int
    page_size: int
    items: list[Fact]


class Page(BaseModel):
    """One page of a list."""

    total: int
    page: int
    page_size: int
    items: list[dict[str, Any]]


class Span(BaseModel):
    """A stretch of the text that is the evidence of the facts listed."""

    start: int = Field(description="Offset of the first character (Python: text[start:end]).")
    end: int
    fact_ids: list[str]


class Article(BaseModel):
    id: str
    version: int
    doc_id: str
    url: str | None = None
    source: str | None = None
    title: str | None = None
    headline: str
    published: dt.date | None = None
    published_from: str | None = None
    lang: str | None = None
    label_lang: str | None = None
    text: str
    superseded: bool
    ingested_at: dt.datetime | None = None
    extractor_version: str
    versions: list[dict[str, Any]]
    facts: list[Fact]
    spans: list[Span]
    story_id: str | None = None


class Timeline(BaseModel):
    a: str
    b: str
    series: list[dict[str, Any]] = Field(
        description="One per indicator, direction and unit: years, partial, other."
    )


class Targets(BaseModel):
    as_of: dt.date
    items: list[dict[str, Any]]


class IngestArticle(BaseModel):
    """One article to store: as a JSONL record of ``tradefacts ingest``."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=500, description="The record's own id.")
    text: str = Field(min_length=1, description="The article text, exactly.")
    url: str | None = Field(None, max_length=2000, description="Its URL: its identity if given.")
    date: dt.date | None = Field(None, description="Publication date (YYYY-MM-DD).")
    title: str | None = Field(None, max_length=1000)
    lang: str | None = Field(None, max_length=20, description="A language label (reports only).")
    source: str = Field(
        "api",
        min_length=1,
        max_length=200,
        description="Where it came from; without a URL the article is known as source/id.",
    )


class IngestRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    articles: list[IngestArticle] = Field(min_length=1, max_length=1000)


class IngestResult(BaseModel):
    read: int
    new: int
    unchanged: int
    new_versions: int
    errors: list[str]
    seconds: float
    articles: list[str] = Field(description="The ids the articles are stored under.")
