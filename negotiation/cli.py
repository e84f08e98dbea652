"""The ``negotiate`` command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from negotiation import __version__
from negotiation.errors import ConfigError, UserError


class _Group(click.Group):
    """Turns user errors into one line each on stderr and exit code 2, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            for problem in exc.problems:
                click.echo(f"error: {problem}", err=True)
            ctx.exit(2)
        except UserError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="negotiate")
def cli():
    """Simulate multi-party, multi-issue negotiations (flagship: NAFTA 2017)."""


def _load(config: str):
    from negotiation.loader import load_scenario

    return load_scenario(config)


@cli.command()
@click.argument("config", type=click.Path(dir_okay=False))
def validate(config):
    """Check CONFIG; print ok, or every problem with file, line and key path (exit 2)."""
    _load(config)
    click.echo("ok")


@cli.command()
@click.argument("config", type=click.Path(dir_okay=False))
@click.option("--seed", default=0, show_default=True, type=click.IntRange(min=0), help="Root seed of the draw table.")
@click.option("--draw", default=0, show_default=True, type=click.IntRange(min=0), help="Row of the draw table to play.")
@click.option("--json", "as_json", is_flag=True, help="Print only the summary JSON to stdout.")
@click.option(
    "--runs-dir",
    default="runs",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder under which the run folder is made.",
)
@click.option(
    "--out", default=None, type=click.Path(file_okay=False), help="Exact run folder to write (must be new or empty)."
)
def run(config, seed, draw, as_json, runs_dir, out):
    """Run one negotiation of CONFIG, narrated round by round; write a run folder."""
    from negotiation.model import NegotiationModel
    from negotiation.narrate import outcome_lines, round_lines
    from negotiation.runfolder import RunFolder, json_text

    loaded = _load(config)
    folder = RunFolder.create(runs_dir, Path(config).stem, "run", loaded, seed, out)
    folder.manifest["draw"] = draw
    st, issues = loaded.structure, loaded.scenario.issues
    say = (lambda s: None) if as_json else click.echo
    try:
        model = NegotiationModel(loaded, seed=seed, draw=draw)
        say(f"{loaded.scenario.name}: seed {seed}, draw {draw}; parties {', '.join(st.parties)}")
        while model.running:
            model.step()
            for line in round_lines(st, issues, model.history[-1]):
                say(line)
        summary = model.summary()
        for line in outcome_lines(st, issues, summary):
            say(line)
        folder.write("summary.json", json_text(summary))
        folder.write("rounds.csv", model.trace().to_csv(index=False, float_format="%.12g"))
        folder.write("rounds.jsonl", "".join(json.dumps(h, sort_keys=True) + "\n" for h in model.history))
    except BaseException:
        folder.close("failed")
        raise
    folder.close("complete")
    if as_json:
        click.echo(json.dumps(summary, sort_keys=True))
    click.echo(f"run folder: {folder.path}", err=as_json)


def main() -> None:
    """Entry point of the ``negotiate`` console script."""
    cli(prog_name="negotiate")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
