"""Site profiles: what to scrape and how to read it, loaded from the JSON files beside this one."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urljoin

from detection.taxonomy import CATEGORY_NAMES, GENDERS

PROFILE_DIR = Path(__file__).resolve().parent


class ProfileError(ValueError):
    """A profile file is missing, unreadable or inconsistent."""


Selector = tuple[str, ...]  # CSS selectors tried in order; the first that matches wins


@dataclass(frozen=True)
class StartUrl:
    term: str
    url: str
    gender: str
    category: str


@dataclass(frozen=True)
class ListingSelectors:
    card: str
    link: Selector
    image: Selector
    name: Selector
    price: Selector
    next_page: Selector
    brand: Selector = ()
    image_attributes: tuple[str, ...] = ("src", "data-src")
    wait_for: str = "body"


@dataclass(frozen=True)
class ProductSelectors:
    title: Selector
    images: Selector
    price: Selector = ()
    brand: Selector = ()
    colour: Selector = ()
    article_type: Selector = ()
    out_of_stock: Selector = ()
    image_attributes: tuple[str, ...] = ("src", "data-src")
    image_view_attribute: str = ""
    wait_for: str = "body"


@dataclass(frozen=True)
class SiteProfile:
    name: str
    label: str
    base_url: str
    allowed_hosts: tuple[str, ...]
    start_urls: tuple[StartUrl, ...]
    listing: ListingSelectors
    external_id_pattern: str
    product_page: ProductSelectors | None = None
    currency: str = "INR"
    delay_seconds: float = 1.0
    max_per_category: int = 50
    extra: dict = field(default_factory=dict)

    def absolute(self, url: str) -> str:
        return urljoin(self.base_url.rstrip("/") + "/", url)

    def with_base_url(self, base_url: str) -> SiteProfile:
        return replace(self, base_url=base_url)


def _selector(value: object) -> Selector:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ProfileError(f"a selector must be a string or a list of strings, not {value!r}")


def _selectors(cls: type, data: dict) -> object:
    kwargs = {}
    for name, f in cls.__dataclass_fields__.items():
        if name not in data:
            continue
        value = data[name]
        if f.type == "Selector":
            kwargs[name] = _selector(value)
        elif name == "image_attributes":
            kwargs[name] = tuple(value)
        else:
            kwargs[name] = value
    unknown = set(data) - set(cls.__dataclass_fields__)
    if unknown:
        raise ProfileError(f"unknown {cls.__name__} keys: {sorted(unknown)}")
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise ProfileError(f"{cls.__name__}: {exc}") from exc


def parse_profile(data: dict) -> SiteProfile:
    """Build and check a profile from its JSON object."""
    try:
        starts = tuple(StartUrl(**s) for s in data["start_urls"])
        profile = SiteProfile(
            name=data["name"],
            label=data.get("label", data["name"]),
            base_url=data["base_url"],
            allowed_hosts=tuple(data["allowed_hosts"]),
            start_urls=starts,
            listing=_selectors(ListingSelectors, data["listing"]),
            external_id_pattern=data["external_id_pattern"],
            product_page=_selectors(ProductSelectors, data["product_page"]) if data.get("product_page") else None,
            currency=data.get("currency", "INR"),
            delay_seconds=float(data.get("delay_seconds", 1.0)),
            max_per_category=int(data.get("max_per_category", 50)),
        )
    except (KeyError, TypeError) as exc:
        raise ProfileError(f"profile {data.get('name', '?')!r} is missing or has a bad field: {exc}") from exc
    for start in profile.start_urls:
        if start.gender not in {g.name for g in GENDERS} or start.category not in CATEGORY_NAMES:
            raise ProfileError(f"{profile.name}: {start.term!r} has gender/category {start.gender}/{start.category}")
    if not profile.allowed_hosts:
        raise ProfileError(f"{profile.name}: allowed_hosts must not be empty")
    return profile


def available_profiles() -> list[str]:
    return sorted(p.stem for p in PROFILE_DIR.glob("*.json"))


def load_profile(name: str) -> SiteProfile:
    path = PROFILE_DIR / f"{name}.json"
    if not path.is_file():
        raise ProfileError(f"no site profile {name!r}; available: {', '.join(available_profiles())}")
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise ProfileError(f"{path.name} is not valid JSON: {exc}") from exc
    return parse_profile(data)
