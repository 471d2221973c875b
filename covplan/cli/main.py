"""The ``covplan`` command group: logging levels, version, and error handling.

The library raises typed errors; this module alone turns them into a message on stderr
and an exit code: 2 for bad input, 1 for an unexpected failure (the traceback is shown
only with ``-vv``). A problem with the input is said in the command's ``--lang`` (English
without it).
"""

from __future__ import annotations

import io
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

import click
from tqdm.contrib.logging import logging_redirect_tqdm

from covplan import __version__
from covplan._pages import prefer_small_pages
from covplan.cli._common import LANG_META
from covplan.cli.analyze import analyze
from covplan.cli.calibrate import calibrate
from covplan.cli.compare import compare
from covplan.cli.demo import demo
from covplan.cli.info import info
from covplan.cli.national import national
from covplan.cli.plan import plan
from covplan.cli.predict import predict
from covplan.cli.report import report
from covplan.cli.validate import validate
from covplan.errors import CovplanError
from covplan.i18n import N_, language
from covplan.radio import refresh_kernel_cache

logger = logging.getLogger("covplan")

EXIT_BAD_INPUT = 2
EXIT_FAILURE = 1
#: What a shell reports for a program its pipe's reader closed (128 + SIGPIPE).
EXIT_BROKEN_PIPE = 128 + 13


def _discard_stdout() -> None:
    """Send what is left on stdout nowhere, so that the interpreter's last flush does not fail.

    Python's advice for a pipe whose reader has gone (``signal`` module documentation).
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):  # stdout without a descriptor
        pass


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CovplanError as exc:
            lang = language(ctx.meta.get(LANG_META, "en"))
            click.echo(lang._(N_("Error: {message}")).format(message=exc.text(lang)),
                       err=True)
            ctx.exit(EXIT_BAD_INPUT)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:
            # the reader stopped reading (covplan info DATA | head): not a failure to report
            _discard_stdout()
            ctx.exit(EXIT_BROKEN_PIPE)
        except Exception as exc:
            logger.debug("Unexpected error", exc_info=True)
            click.echo(
                f"Error: unexpected failure: {type(exc).__name__}: {exc}\n"
                "Run again with -vv to see the details, and report it with that output.",
                err=True,
            )
            ctx.exit(EXIT_FAILURE)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.option("-q", "--quiet", is_flag=True,
              help="Only errors; no progress bars (shown only on a terminal anyway).")
@click.version_option(__version__, "--version", prog_name="covplan")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """covplan: 4G/5G and fibre coverage planning for Vietnamese provinces."""
    level = (
        logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    )
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", force=True)
    logging.getLogger("covplan").setLevel(level)
    refresh_kernel_cache()  # before any kernel is loaded from numba's cache
    # log lines go above a progress bar instead of breaking into it, until the command ends
    ctx.with_resource(logging_redirect_tqdm())


for command in (demo, info, validate, predict, analyze, plan, report, national):
    cli.add_command(command)
cli.add_command(calibrate)
cli.add_command(compare)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI in-process and return its exit code (for tests and ``python -m``)."""
    prefer_small_pages()
    try:
        result = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="covplan",
            standalone_mode=False,
        )
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        click.echo("Aborted.", err=True)
        return EXIT_FAILURE
    # without standalone mode, click returns ctx.exit()'s code instead of raising
    return result if isinstance(result, int) else 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
