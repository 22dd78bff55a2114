"""The one place that reads settings from the environment, with typed helpers."""

import os

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class EnvError(ValueError):
    """An environment variable holds a value its setting cannot take."""


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise EnvError(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise EnvError(f"{name}={raw!r} is not an integer") from exc


def env_map(name: str) -> dict[str, str]:
    """`key=value,key2=value2` as a dict (empty when unset); a pair without "=" is an error."""
    pairs = env_list(name, [])
    if any("=" not in pair for pair in pairs):
        raise EnvError(f"{name}={os.environ.get(name)!r} must be key=value pairs separated by commas")
    return dict((k.strip(), v.strip()) for k, v in (pair.split("=", 1) for pair in pairs))


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]
