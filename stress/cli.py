"""`gfjit stress` and `python -m stress`: run a stress workload in a child process and report."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from stress.config import DEFAULT_HANG_AFTER, DEFAULT_RSS_GROWTH_MB, MAX_THREADS, MIN_HANG_AFTER, RunConfig
from stress.progress import Progress
from stress.report import EXIT_USAGE
from stress.supervisor import prepare_run_dir, supervise
from stress import workloads
from stress.workloads import BUILTIN

EPILOG = """\
exit status: 0 ok; 1 mismatches, unexpected errors, hung or failed fork children, soak bound
exceeded or the workload could not start; 2 bad usage (one line names the flag); 3 the child
process crashed (signal), exited without a report or hung; 130 interrupted by Ctrl-C (the report
is still printed).
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gfjit stress",
        description="Concurrency stress runs of gfjit, every result checked against an oracle. "
        "The run happens in a child process, so a crash is reported with the seed, the signal "
        "and the last operations of each thread.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--workload", default="mixed", metavar="NAME",
        help=f"{' | '.join(BUILTIN)} or module:factory for a workload of your own (default: mixed)",
    )
    parser.add_argument("--threads", type=int, default=4, metavar="N", help=f"worker threads, 1 to {MAX_THREADS} (default: 4)")
    budget = parser.add_mutually_exclusive_group()
    budget.add_argument("--seconds", type=float, metavar="S", help="run for S seconds (default: 10)")
    budget.add_argument("--ops", type=int, metavar="N", help="run N operations in total, split across the threads")
    parser.add_argument("--seed", type=int, metavar="X", help="seed of every thread's operations (default: random)")
    parser.add_argument("--json", metavar="FILE", help="also write the report as JSON to FILE ('-': stdout)")
    parser.add_argument("--no-faults", dest="faults", action="store_false", help="no fault injection")
    soak = parser.add_argument_group("soak")
    soak.add_argument("--soak", action="store_true", help="sample resident memory and fail if it grows past a bound after warm-up")
    soak.add_argument("--warmup", type=float, metavar="S", help="warm-up seconds, shorter than the run (default: a fifth of the run, at most 60)")
    soak.add_argument("--sample-every", type=float, metavar="S", help="seconds between memory samples (default: run/300, at least 1)")
    soak.add_argument("--rss-growth-mb", type=float, metavar="MB", help=f"allowed growth after warm-up (default: {DEFAULT_RSS_GROWTH_MB:g})")
    parser.add_argument(
        "--hang-after", type=float, default=DEFAULT_HANG_AFTER, metavar="S",
        help=f"a thread without progress for S seconds, at least {MIN_HANG_AFTER:g}, is a hang (default: {DEFAULT_HANG_AFTER:g})",
    )
    parser.add_argument("--run-dir", metavar="DIR", help="keep the ring log, stacks and child's stderr in DIR (made if need be)")
    parser.add_argument("--quiet", action="store_true", help="no live progress line")
    parser.add_argument("--compile-in", choices=("thread", "process"), help="where the JIT compiles: on threads or in worker processes (sets GFJIT_COMPILE_IN for the run)")
    return parser


# Options that mean something only in a soak run.
SOAK_ONLY = {"warmup": "--warmup", "sample_every": "--sample-every", "rss_growth_mb": "--rss-growth-mb"}


def _config(args: argparse.Namespace) -> RunConfig:
    if not args.soak:
        for name, flag in SOAK_ONLY.items():
            if getattr(args, name) is not None:
                raise ValueError(f"{flag}: only a --soak run samples memory")
    seconds = args.seconds if args.seconds is not None or args.ops is not None else 10.0
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "little")
    duration = seconds or 0.0
    return RunConfig(
        workload=args.workload,
        threads=args.threads,
        seed=seed,
        ops=args.ops,
        seconds=seconds,
        faults=args.faults,
        soak=args.soak,
        warmup=args.warmup if args.warmup is not None else min(60.0, duration / 5),
        sample_every=args.sample_every if args.sample_every is not None else max(1.0, duration / 300),
        rss_growth_mb=args.rss_growth_mb if args.rss_growth_mb is not None else DEFAULT_RSS_GROWTH_MB,
        hang_after=args.hang_after,
    )


def _usage_error(parser: argparse.ArgumentParser, message: str) -> int:
    parser.print_usage(sys.stderr)
    print(f"gfjit stress: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _open_json(target: str | None) -> TextIO | None:
    """Where --json goes, opened before the run so that an unwritable file is a usage error, not
    a report lost after the whole run."""
    if target is None:
        return None
    if target == "-":
        return sys.stdout
    try:
        return open(target, "w")
    except OSError as error:
        raise ValueError(f"--json {target}: cannot write: {error.strerror or error}") from error


def main(argv: Sequence[str] | None = None) -> int:
    """Run `gfjit stress` with `argv` (default: sys.argv[1:]); returns the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else list(argv))
    except SystemExit as exit_:  # --help, or a usage error already printed by argparse
        return int(exit_.code or 0)
    if args.compile_in:
        os.environ["GFJIT_COMPILE_IN"] = args.compile_in  # the child of the run inherits it
    try:
        config = _config(args)
        workloads.check(config.workload)
        if args.run_dir is not None:
            prepare_run_dir(args.run_dir)
        json_out = _open_json(args.json)
    except (ValueError, workloads.WorkloadNotFound) as error:
        return _usage_error(parser, str(error))
    try:
        with Progress(config, enabled=not args.quiet) as progress:
            report = supervise(config, on_progress=progress.update, run_dir=args.run_dir)
        # With the JSON on stdout, the table goes to stderr so stdout stays one JSON document.
        print(report.render(), file=sys.stderr if json_out is sys.stdout else sys.stdout)
        if json_out is not None:
            json_out.write(report.to_json() + "\n")
            json_out.flush()
    finally:
        if json_out is not None and json_out is not sys.stdout:
            json_out.close()
    return report.exit_status
