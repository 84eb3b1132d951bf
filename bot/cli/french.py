"""click in French: the help pages, the usage errors and the value types of ``python -m bot``.

click writes its own texts in English. This module says them in French through click's public extension
points only:

- :class:`HelpFormatter`, the :attr:`Context.formatter_class`: « utilisation : » and French section headings;
- :class:`Command` and :class:`Group`: ``-h``/``--help`` explained in French, extra arguments and a missing
  command reported in French; a group lists its commands in the order they were added;
- :class:`Choice` and :data:`INTEGER`/:data:`FLOAT`: a bad value explained in French;
- :class:`CommandLine`, the root group: it runs with ``standalone_mode=False``, prints a usage error in French
  (:func:`usage_error_message`, from the exception's public attributes) under the command's usage line, and
  returns the exit code (2 for a usage error, or for a wrong setting in the environment) instead of exiting.
"""
from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import click
from click.exceptions import BadOptionUsage, BadParameter, MissingParameter, NoSuchCommand, NoSuchOption

from bot.settings import SettingsError

PROG_NAME = "python -m bot"
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
HELP_OPTION_TEXT = "afficher cette aide et quitter"
USAGE_PREFIX = "utilisation : "
# click's section names (its English source texts) -> the headings shown.
SECTIONS = {"Options": "Options", "Commands": "Commandes", "Positional arguments": "Arguments"}
NO_BREAK = "\u00a0"
_FRENCH_SPACE = re.compile(r" (?=[:;?!»])|(?<=«) |(?<=\d) ")  # also "2 min", "12 000 €"


class HelpFormatter(click.HelpFormatter):
    """click's help layout with French headings (« utilisation : », « Commandes : ») and French spacing: a line
    is never broken before « : », « ; », « ? », « ! », « » », after « « », nor after a number.
    """

    def write_text(self, text: str) -> None:
        super().write_text(_glued(text))

    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        super().write_dl([(term, _glued(definition)) for term, definition in rows], col_max, col_spacing)

    def write(self, string: str) -> None:
        super().write(string.replace(NO_BREAK, " "))

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, USAGE_PREFIX if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading} :\n")

    @contextmanager
    def section(self, name: str) -> Iterator[None]:
        with super().section(SECTIONS.get(name, name)):
            yield


def _glued(text: str) -> str:
    """``text`` with a no-break space where French puts a space that must not break a line."""
    return _FRENCH_SPACE.sub(NO_BREAK, text)


class Context(click.Context):
    formatter_class = HelpFormatter


def _french_help_option(option: click.Option | None) -> click.Option | None:
    if option is not None:
        option.help = HELP_OPTION_TEXT
    return option


@contextmanager
def _usage_errors_in(ctx: click.Context) -> Iterator[None]:
    """Attach ``ctx`` to the usage errors click's parser raises without one, so that they show the usage line."""
    try:
        yield
    except click.UsageError as error:
        if error.ctx is None:
            error.ctx = ctx
        raise


class Command(click.Command):
    """A command whose help and usage errors are in French."""

    context_class = Context

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return _french_help_option(super().get_help_option(ctx))

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.allow_extra_args = True  # so that they are reported below, in French
        with _usage_errors_in(ctx):
            rest = super().parse_args(ctx, args)
        if rest and not ctx.resilient_parsing:
            raise click.UsageError(f"arguments non reconnus : {' '.join(rest)}.", ctx)
        return rest


class Group(click.Group):
    """A group of commands (``python -m bot drafts …``) whose help and usage errors are in French."""

    context_class = Context
    command_class = Command
    group_class = type  # a subgroup is of the same class as its parent

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", "COMMANDE [ARGUMENTS]...")
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return _french_help_option(super().get_help_option(ctx))

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args and not ctx.resilient_parsing:
            raise click.UsageError(f"commande manquante (choix possibles : {', '.join(self.list_commands(ctx))}).", ctx)
        with _usage_errors_in(ctx):
            return super().parse_args(ctx, args)


class CommandLine(Group):
    """The root group. Calling it runs the command line and returns the exit code (see :meth:`run`)."""

    def __call__(self, *args: Any, **kwargs: Any) -> int:
        return self.run(*args, **kwargs)

    def run(self, args: Sequence[str] | None = None) -> int:
        """Run the command given by ``args`` (default: ``sys.argv[1:]``); return its exit code."""
        try:
            code = self.main(args, prog_name=PROG_NAME, standalone_mode=False)
        except click.UsageError as error:
            show_usage_error(error)
            return EXIT_USAGE
        except click.Abort:
            print("Interrompu.", file=sys.stderr)
            return EXIT_INTERRUPTED
        except click.ClickException as error:
            print(f"Erreur : {error.format_message()}", file=sys.stderr)
            return error.exit_code
        except SettingsError as error:  # a variable of bot/settings.py with a wrong value
            print(f"Erreur : {error}", file=sys.stderr)
            return EXIT_USAGE
        return code if isinstance(code, int) else 0


class Choice(click.Choice):
    """A value among a few, with French messages."""

    def get_invalid_choice_message(self, value: Any, ctx: click.Context | None) -> str:
        return f"choix invalide : « {value} » (choix possibles : {', '.join(str(choice) for choice in self.choices)})."


class Number(click.ParamType):
    """A number (``int`` or ``float``), with a French message for a value that is not one."""

    def __init__(self, kind: Callable[[str], Any], name: str, described: str) -> None:
        self.kind, self.name, self.described = kind, name, described

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return self.kind(value)
        except (TypeError, ValueError):
            self.fail(f"« {value} » n'est pas {self.described}.", param, ctx)


INTEGER = Number(int, "entier", "un nombre entier")
FLOAT = Number(float, "nombre", "un nombre")


def _param_hint(param: click.Parameter | None, ctx: click.Context | None) -> str:
    if param is None:
        return ""
    if isinstance(param, click.Argument):
        return param.make_metavar(ctx) if ctx is not None else param.human_readable_name
    return " / ".join(param.opts)


def _option(ctx: click.Context | None, name: str) -> click.Parameter | None:
    if ctx is None:
        return None
    return next((param for param in ctx.command.get_params(ctx) if name in param.opts), None)


def usage_error_message(error: click.UsageError) -> str:
    """What went wrong, in French, from the public attributes of click's usage errors."""
    if isinstance(error, MissingParameter):
        return f"arguments obligatoires manquants : {_param_hint(error.param, error.ctx)}."
    if isinstance(error, BadParameter):
        hint = _param_hint(error.param, error.ctx)
        kind = "argument" if isinstance(error.param, click.Argument) else "option"
        return f"{kind} {hint} : {error.message}" if hint else error.message
    if isinstance(error, NoSuchOption):
        guess = f" (vouliez-vous dire {' ou '.join(error.possibilities)} ?)" if error.possibilities else ""
        return f"option inconnue : {error.option_name}{guess}."
    if isinstance(error, NoSuchCommand):
        group = error.ctx.command if error.ctx is not None else None
        known = group.list_commands(error.ctx) if isinstance(group, click.Group) and error.ctx is not None else []
        choices = f" (choix possibles : {', '.join(known)})" if known else ""
        return f"commande inconnue : « {error.command_name} »{choices}."
    if isinstance(error, BadOptionUsage):
        option = _option(error.ctx, error.option_name)
        if isinstance(option, click.Option) and option.is_flag:
            return f"l'option {error.option_name} ne prend pas de valeur."
        return f"l'option {error.option_name} attend une valeur."
    return error.message


def show_usage_error(error: click.UsageError) -> None:
    """The command's usage line, where to find its help, and the error, in French on stderr."""
    if error.ctx is not None:
        print(error.ctx.get_usage(), file=sys.stderr)
        print(f"Aide : {error.ctx.command_path} --help", file=sys.stderr)
        print(file=sys.stderr)
    print(f"Erreur : {usage_error_message(error)}", file=sys.stderr)
