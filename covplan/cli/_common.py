"""Options shared by several commands, the tqdm progress bar, and the dataset loader.

Each option shared by several commands is defined here once (``--model``, ``--resolution``,
``--cache-dir``/``--no-cache``, ``--overwrite``, ``--targets``) and applied as a decorator.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

import click
from tqdm import tqdm

from covplan import settings
from covplan.radio.models import AUTO_MODEL, MODELS
from covplan.targets import preset_names

if TYPE_CHECKING:
    import geopandas as gpd

    from covplan.i18n import Language
    from covplan.io import Dataset
    from covplan.predict import SiteCache
    from covplan.targets import TargetSet

F = TypeVar("F", bound=Callable[..., Any])

#: ``--model`` values: ``auto`` and every model of :data:`covplan.radio.models.MODELS`.
MODEL_NAMES: tuple[str, ...] = ("auto", *MODELS)


def dataset_argument(func: F) -> F:
    """The ``DATA`` argument: a dataset folder, ``dataset.toml`` or GeoPackage."""
    return click.argument("data", type=click.Path(path_type=Path), metavar="DATA")(func)


def model_option(func: F) -> F:
    """``--model``: a propagation model by name, one of :data:`MODEL_NAMES`."""
    auto = ", ".join(f"{model} for {tech}" for tech, model in AUTO_MODEL.items())
    return click.option(
        "--model", type=click.Choice(MODEL_NAMES), default="auto", show_default=True,
        help=f"Propagation model (auto: {auto}; see covplan.radio.models).")(func)


def resolution_option(func: F) -> F:
    """``--resolution``: the prediction grid's cell size in metres."""
    return click.option(
        "--resolution", "resolution_m", type=click.FloatRange(min=1.0), default=None,
        help=f"Grid resolution in metres [default: {settings.resolution_m:g}].")(func)


#: The target preset commands evaluate when ``--targets`` is not given.
DEFAULT_PRESET = "thai_nguyen_2025"


@overload
def targets_option(func: F) -> F: ...


@overload
def targets_option(*, default: str | None = DEFAULT_PRESET, purpose: str = ""
                   ) -> Callable[[F], F]: ...


def targets_option(func: F | None = None, *, default: str | None = DEFAULT_PRESET,
                   purpose: str = "") -> F | Callable[[F], F]:
    """``--targets``: a target preset or a targets ``.toml`` file.

    Used bare (``@targets_option``) or with another ``default`` (None: optional) and a
    ``purpose`` added to the help text (``@targets_option(default=None, purpose=...)``).
    """

    def decorate(f: F) -> F:
        return click.option(
            "--targets", "targets_spec", default=default, show_default=default is not None,
            metavar="PRESET|FILE",
            help=f"Target preset ({', '.join(preset_names())}) or a targets .toml file"
                 f"{purpose}.")(f)

    return decorate(func) if func is not None else decorate


#: Where ``--lang`` leaves its value for the error handler (``click.Context.meta``, which
#: a command's context shares with the group's).
LANG_META = "covplan.lang"


def _remember_lang(ctx: click.Context, _param: click.Parameter, value: str | None
                   ) -> str | None:
    if value is not None:
        ctx.meta[LANG_META] = value
    return value


@overload
def lang_option(func: F) -> F: ...


@overload
def lang_option(*, default_help: str = ...) -> Callable[[F], F]: ...


def lang_option(func: F | None = None, *, default_help: str = "the preset's, Vietnamese "
                "for the shipped presets") -> F | Callable[[F], F]:
    """``--lang``: the language of what people read (tables, report, CSV headers, errors).

    Used bare (``@lang_option``) or with the default stated otherwise
    (``@lang_option(default_help="English")``). The choice is also left in the context
    (:data:`LANG_META`), so that a problem with the input is said in that language.
    """
    from covplan.i18n import LANGUAGE_NAMES, LANGUAGES

    names = ", ".join(f"{code} = {LANGUAGE_NAMES[code]}" for code in LANGUAGES)

    def decorate(f: F) -> F:
        return click.option(
            "--lang", "lang_code", type=click.Choice(LANGUAGES), default=None,
            callback=_remember_lang, is_eager=True,
            help=f"Language of what people read ({names}) [default: {default_help}]."
        )(f)

    return decorate(func) if func is not None else decorate


def command_targets(spec: str, lang_code: str | None) -> tuple[TargetSet, Language]:
    """The target set ``--targets`` names, and the language the command speaks with it.

    A targets file with problems is refused in its own ``language`` (read from the file as
    far as it can be read; Vietnamese, the default, when it cannot) unless ``--lang`` says
    otherwise, as the command would have spoken once the file loaded.
    """
    from covplan.errors import CovplanError
    from covplan.targets import load_targets

    try:
        targets = load_targets(spec)
    except CovplanError:
        command_language(lang_code, _written_language(spec))
        raise
    return targets, command_language(lang_code, targets.language)


def _written_language(spec: str) -> str | None:
    """The ``[preset] language`` of a targets file that may not load (None if unreadable)."""
    import tomllib

    path = Path(spec)
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, ValueError):
        return None
    preset = table.get("preset")
    found = preset.get("language") if isinstance(preset, dict) else None
    return found if isinstance(found, str) else None


def command_language(lang_code: str | None, preset_language: str | None) -> Language:
    """The language a command speaks: ``--lang``, else its target preset's.

    Left in the context (:data:`LANG_META`) too, so that the warnings and errors said after
    this point are in the language of the command's tables and report.
    """
    from covplan.i18n import default_language, language

    lang = language(lang_code or default_language(preset_language))
    click.get_current_context().meta[LANG_META] = lang.code
    return lang


def cache_options(func: F) -> F:
    """``--cache-dir`` and ``--no-cache``: the per-site prediction cache on disk."""
    func = click.option("--no-cache", is_flag=True,
                        help="Do not read or write the prediction cache.")(func)
    return click.option(
        "--cache-dir", type=click.Path(path_type=Path), default=None,
        help="Keep per-site predictions here between runs [default: data/cache/predict].",
    )(func)


def overwrite_option(func: F) -> F:
    """``--overwrite``: replace output files that already exist."""
    return click.option("--overwrite", is_flag=True,
                        help="Replace output files that already exist.")(func)


@overload
def site_cache(cache_dir: Path | None, no_cache: bool, *, memory: Literal[True]) -> SiteCache:
    ...


@overload
def site_cache(cache_dir: Path | None, no_cache: bool, *, memory: bool = False
               ) -> SiteCache | None:
    ...


def site_cache(cache_dir: Path | None, no_cache: bool, *, memory: bool = False
               ) -> SiteCache | None:
    """The prediction cache the cache options ask for.

    Parameters
    ----------
    cache_dir
        ``--cache-dir``; default ``data/cache/predict``.
    no_cache
        ``--no-cache``: no cache on disk.
    memory
        With ``--no-cache``, still keep results in memory for the run (the planner predicts
        the same sites many times); otherwise None.
    """
    from covplan.predict import SiteCache

    if no_cache:
        return SiteCache() if memory else None
    return SiteCache(directory=cache_dir or settings.data_dir / "cache" / "predict")


def on_air_technologies(sites: gpd.GeoDataFrame | None) -> list[str]:
    """Technologies with sectors on air: what a prediction of ``sites`` produces."""
    from covplan.predict import on_air

    if sites is None or sites.empty:
        return []
    return sorted(set(on_air(sites)["technology"].astype(str)))


class ProgressBar:
    """A tqdm bar on stderr driven by the core's ``progress(fraction, message)`` callback.

    Shown only when stderr is a terminal (tqdm's ``disable=None``): in a log file, a pipe or
    CI output it writes nothing, so no carriage-return fragments end up there. Log lines go
    above the bar (the command group wraps every command in tqdm's
    ``logging_redirect_tqdm``).

    Parameters
    ----------
    description
        Shown before the bar.
    quiet
        Hide the bar also on a terminal (``--quiet``).
    """

    def __init__(self, description: str, *, quiet: bool = False) -> None:
        self._bar = tqdm(
            total=1000,
            desc=description,
            disable=True if quiet else None,
            leave=False,
            bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed} {postfix}",
        )
        self._done = 0

    def __call__(self, fraction: float, message: str) -> None:
        step = round(min(max(fraction, 0.0), 1.0) * 1000)
        if step > self._done:
            self._bar.update(step - self._done)
            self._done = step
        self._bar.set_postfix_str(message, refresh=True)

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._bar.close()


def open_dataset(data: Path) -> Dataset:
    """Load the dataset DATA and print its warnings on stderr (every command does this).

    The warnings are said in the command's ``--lang`` (English without it).
    """
    from covplan.i18n import language
    from covplan.io import load_dataset

    dataset = load_dataset(data)
    lang = language(click.get_current_context().meta.get(LANG_META, "en"))
    for warning in dataset.warnings_in(lang):
        click.echo(lang._("Warning: {warning}").format(warning=warning), err=True)
    return dataset


def quiet(ctx: click.Context) -> bool:
    """Whether ``--quiet`` was given on the main command."""
    return bool(ctx.find_root().params.get("quiet"))
