"""Concurrency stress runs of the JIT, dispatch and Lisp layers, checked against an oracle.

    gfjit stress --workload mixed --threads 8 --seconds 60 --seed 1 --json report.json
    python -m stress --workload jit --ops 20000
    gfjit stress --workload dispatch --seconds 600 --soak --warmup 60
    gfjit stress --workload fork --threads 4 --seconds 60

How the pieces fit: `cli` parses the options into a `config.RunConfig`; `supervisor` runs it in a
child process (`child`) and turns whatever happens (a report, a signal, an exit, a hang, Ctrl-C)
into a `report.Report`; `progress` shows the live line; `lifeline` has the child die with the
supervisor. In the child, `runner` runs the threads of a workload (`workload` says what a
workload is; `workloads` has the built-in ones), every thread noting its operations in a
`ringlog` ring that survives a crash; `memory` reads resident memory and judges a soak. `clos_oracle` is the reference model of CLOS dispatch that the
`dispatch` workload checks against.

A seed fixes every thread's random choices; the interleaving of threads is the OS's, so a rerun
with the same seed repeats the choices, not the schedule.
"""
