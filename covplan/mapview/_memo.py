"""Remember results computed from an object for as long as that object lives.

The app rebuilds its map on every rerun, from a dataset that ``st.cache_resource`` keeps as
one object; the province's static layers (communes, roads, villages' shapes, the
hillshade) then need converting to web geometry only once. Results are keyed by the
*identity* of the first argument (held by a weak reference, so the entry goes when the
object does) and by the other arguments. Callers must not mutate what they get back.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def by_identity(func: F) -> F:
    """Memoise ``func`` on the identity of its first argument and the repr of the others."""
    cache: dict[tuple[int, str], tuple[weakref.ref[Any], Any]] = {}

    @functools.wraps(func)
    def wrapper(obj: Any, *args: Any, **kwargs: Any) -> Any:
        key = (id(obj), repr((args, sorted(kwargs.items()))))
        hit = cache.get(key)
        if hit is not None and hit[0]() is obj:
            return hit[1]
        value = func(obj, *args, **kwargs)
        def forget(_ref: weakref.ref[Any], k: tuple[int, str] = key) -> None:
            cache.pop(k, None)

        try:
            ref = weakref.ref(obj, forget)
        except TypeError:  # not weakly referenceable: do not cache
            return value
        cache[key] = (ref, value)
        return value

    wrapper.cache = cache  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]
