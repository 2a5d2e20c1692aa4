"""Spec review for pull requests: `diff` says what a spec change breaks, `lint` checks one spec,
`probe` checks a live server's answers against the spec.

`generator/cli.py` builds their arguments from generator.review.arguments and runs
generator.review.commands (`diff`, `lint`) or generator.review.probe (`probe`):

    diff  BASE HEAD                      two spec files
    diff  --base-ref origin/main         base from git, head = --spec in the working tree
    lint  [--spec spec/posthog.yaml]     --fail-on defaults to warning: the project's spec must
                                         lint clean, so any error or warning fails the build;
                                         --rules posthog (default: generic + house rules) or
                                         openapi (generic only, for other specs)

The modules, by stage:

    arguments       the command-line arguments of diff, lint and probe (imports nothing heavy)
    commands        diff and lint on the command line (run, report output, exit code)
    sides, git      loading the spec(s) a command reads: base/head, a git ref, validation
    document        one spec as review reads it: pointers, `$ref`s, operations, parameters
    schema_view     a schema with `allOf` merged and nullability normalised (diff and lint)
    spec_diff       the diff: operations matched, then document-level checks
    diff_operations   ...one matched operation pair, concern by concern
    diff_schemas      ...two schema graphs, one small check per kind of change
    diff_rules        ...which change is breaking, warning or info
    surface         the Python client API a spec produces, and its diff
    lint            the linter: validator errors, then every rule
    lint_context      ...what a rule reads (`Linted`) and returns (`Problem`)
    lint_rules        ...the generic rules; house_rules: this project's conventions
    report          findings, sections, and their markdown/text/JSON rendering
    probe           the live-server probe: probe_run (which GETs, in what order), probe_http
                    (sending them safely), probe_check (answer vs schema), probe_report
"""

from __future__ import annotations

# Nothing is imported here: importing any review module runs this file first, and the command
# line imports generator.review.arguments without the machinery behind it.
