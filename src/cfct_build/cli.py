"""cfct-build command line: parse, call one library function, map errors to exit codes.

Exit codes: 0 success; 1 findings with errors, stale files, or a failed AWS call;
2 bad settings or bad usage (nothing is written).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from cfct_build import __version__
from cfct_build.errors import CfctBuildError

DEFAULT_SETTINGS = "cfct-build.yaml"
DEFAULT_PROFILE = "examples/workload-profile.yaml"


def _settings_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--settings",
        "-s",
        default=DEFAULT_SETTINGS,
        metavar="FILE",
        help=f"settings file (default: {DEFAULT_SETTINGS})",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cfct-build",
        description="Generate, validate and ship a hardened CloudTrail log-archive package for "
        "Customizations for AWS Control Tower (CfCT).",
    )
    parser.add_argument("--version", action="version", version=f"cfct-build {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "build",
        help="generate manifest.yaml, templates/ and policies/ from the settings",
        description="Generate the CfCT package from the settings and write it into --out "
        "(manifest.yaml, templates/, policies/). The package is checked against the CfCT "
        "contract before anything is written. With --check nothing is written: the command "
        "exits 1 and lists the stale files if the directory differs from a fresh build. "
        "Notes on stderr say what the settings leave the named Athena queries unable to find "
        "(they change no exit code).",
    )
    _settings_arg(p)
    p.add_argument("--out", "-o", default=".", metavar="DIR", help="output directory (default: .)")
    p.add_argument(
        "--check", action="store_true", help="write nothing; fail if DIR differs from a fresh build"
    )

    p = sub.add_parser(
        "package",
        help="write custom-control-tower-configuration.zip",
        description="Build the package from the settings, check it, and write the zip CfCT's "
        "S3 source expects (manifest.yaml at the zip root). Byte-deterministic.",
    )
    _settings_arg(p)
    p.add_argument(
        "--output",
        "-o",
        default="dist/custom-control-tower-configuration.zip",
        metavar="PATH",
        help="zip file or directory (default: dist/custom-control-tower-configuration.zip)",
    )

    p = sub.add_parser(
        "validate",
        help="check a package against the CfCT contract and cfn-lint",
        description="Check a package directory (generated or hand-edited) against every CfCT "
        "contract rule and run cfn-lint (informational rules on) on every template. Exits 1 "
        "when any finding is an error.",
    )
    p.add_argument(
        "dir", nargs="?", default=".", metavar="DIR", help="package directory (default: .)"
    )
    p.add_argument(
        "--format",
        "-f",
        choices=["text", "json", "sarif", "junit"],
        default="text",
        help="report format: text, json, SARIF 2.1.0 (code scanning) or JUnit XML (CI reports)",
    )
    p.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="write the --format report to FILE and print the text report",
    )
    p.add_argument("--no-lint", action="store_true", help="skip cfn-lint (contract checks only)")

    p = sub.add_parser(
        "prove",
        help="evaluate the generated policies offline: who can do what to the log archive",
        description="Evaluate the generated guardrail SCPs, key policies and bucket policies "
        "offline with principalmapper and print the case matrix (case, principal, action, "
        "resource, context, expected, evaluated, deciding statement). Exits 1 when any case "
        "differs from its expectation.",
    )
    _settings_arg(p)
    p.add_argument(
        "--format",
        "-f",
        choices=["text", "brief", "json"],
        default="text",
        help="text: the full matrix, one row per case; brief: one short line per case under "
        "its principal (no resource or context); json: everything, for machines "
        "(default: text)",
    )

    sub.add_parser(
        "schema",
        help="print the JSON Schema of the settings file",
        description="Print the JSON Schema of the settings file (for editor completion and "
        "validation, e.g. with the YAML language server).",
    )

    p = sub.add_parser(
        "bootstrap",
        help="print (or --apply) the management-account execution role CfCT needs",
        description="CfCT deploys StackSets to the management account only if it has an "
        "AWSControlTowerExecution role trusting AWSControlTowerStackSetRole. Print that "
        "template and the AWS CLI command that deploys it, or deploy it with --apply.",
    )
    _settings_arg(p)
    p.add_argument(
        "--write", metavar="FILE", help="also write the template to FILE (the command uses it)"
    )
    p.add_argument(
        "--apply",
        action="store_true",
        help="deploy it now with boto3 (credentials of the management account, home Region)",
    )
    p.add_argument("--profile", help="AWS profile for --apply")

    p = sub.add_parser(
        "publish",
        help="upload custom-control-tower-configuration.zip to CfCT's source bucket",
        description="Upload the package zip (built from the settings, or --zip) to CfCT's "
        "source bucket; the upload starts CfCT's pipeline. The default bucket is "
        "custom-control-tower-configuration-<account>-<home Region> of the caller's account, "
        "which must then be the management account. Encrypts as the bucket's default "
        "encryption demands (its KMS key, named explicitly), then checks the size and SHA-256 "
        "S3 stored. --dry-run only reads (caller identity, bucket encryption) and prints what "
        "it would do.",
    )
    _settings_arg(p)
    p.add_argument("--bucket", metavar="NAME", help="bucket (default: CfCT's source bucket)")
    p.add_argument(
        "--zip", metavar="PATH", help="upload this zip (default: build it from the settings)"
    )
    p.add_argument(
        "--dry-run", action="store_true", help="print what would be uploaded; upload nothing"
    )
    p.add_argument("--profile", help="AWS profile (default: the environment's credentials)")

    p = sub.add_parser(
        "plan",
        help="show where CfCT will deploy each resource in your organization, and the traps",
        description="Resolve every manifest resource exactly as CfCT v2.8.4 does, against the "
        "organization read live (Organizations and Control Tower's baseline StackSet, "
        "management-account credentials, read-only) or from a snapshot file: per resource the "
        "accounts x Regions that get stack instances or the OUs a policy attaches to; per "
        "account what it receives, including SCPs inherited through its OU chain; and warnings "
        "for the targeting traps. Exits 1 with --strict when there are warnings.",
    )
    _settings_arg(p)
    p.add_argument(
        "--snapshot",
        metavar="FILE",
        help="read the organization from this snapshot instead of live",
    )
    p.add_argument(
        "--previous",
        metavar="FILE",
        help="an older snapshot: report instances that no longer resolve (CfCT deletes them)",
    )
    p.add_argument(
        "--save-snapshot", metavar="FILE", help="write the live read to FILE (JSON snapshot)"
    )
    p.add_argument(
        "--new-account",
        metavar="OU_PATH",
        help="also show what an account vended into this OU receives (e.g. Workloads:Prod)",
    )
    p.add_argument("--format", "-f", choices=["text", "json"], default="text")
    p.add_argument("--strict", action="store_true", help="exit 1 when there is any warning")
    p.add_argument("--profile", help="AWS profile for the live read")
    p.add_argument(
        "--status-retired",
        action="store_true",
        help="resolve as CfCT v2.8.4 will once Organizations stops returning the account "
        "Status field (2026-09-09)",
    )
    p = sub.add_parser(
        "cost",
        help="estimate the monthly cost of the configured logging beside a naive trail",
        description="Estimate the monthly cost of the trail, buckets, keys and CloudWatch Logs "
        "the settings configure, for the workload a profile describes (accounts, events, "
        "record sizes), at the list prices shipped with cfct-build (their date is printed); "
        "beside it, the same workload under naive selectors: all S3 data events, no "
        "self-exclusion of the log buckets, management events duplicated, no S3 Bucket Key.",
    )
    _settings_arg(p)
    p.add_argument(
        "--profile-file",
        "-p",
        default=DEFAULT_PROFILE,
        metavar="FILE",
        help=f"workload profile (default: {DEFAULT_PROFILE})",
    )
    p.add_argument("--format", "-f", choices=["text", "json"], default="text")

    p = sub.add_parser(
        "simulate",
        help="deploy the package into an emulated organization, vend an account, show the change",
        description="Deploy the package the way CfCT's pipeline does (SCPs first, then each "
        "StackSet in manifest order, outputs passed through SSM) into an organization emulated "
        "with moto (the optional extra cfct-build[simulate]), built from --org-snapshot or from "
        "the settings. Then vend a new account into --new-account-ou, replay CfCT's "
        "CreateManagedAccount re-run, and print what changed: the new account's stack "
        "instances and resources, the SCPs binding it, and whether any existing StackSet was "
        "updated. Also lists what the emulator does not model. Exits 1 when a pipeline run "
        "fails or the re-run updates an existing StackSet.",
    )
    _settings_arg(p)
    p.add_argument(
        "--org-snapshot",
        metavar="FILE",
        help="build the organization from this snapshot (as `plan --save-snapshot` writes); "
        "default: the management, log-archive and audit accounts and one workload account "
        "per configured OU",
    )
    p.add_argument(
        "--new-account-ou",
        metavar="OU_PATH",
        help="OU the new account is vended into, e.g. Workloads:Prod (default: the first OU "
        "of organization.organizational_units)",
    )
    p.add_argument("--format", "-f", choices=["text", "json"], default="text")

    p = sub.add_parser(
        "guard",
        help="run cfn-guard: cfct-build's own rules, the registry's cfn_nag and CIS sets",
        description="Run the official cfn-guard 3.x over DIR/templates with cfct-build's own "
        "Guard rules (Object Lock, retention at least the settings', trail selectors leave out "
        "the log buckets, key rotation, TLS-only bucket policies; parameters from the "
        "settings) and, where the AWS Guard rules registry is given or found at "
        "../shared/compliance-guard-rules/aws-guard-rules-registry, its cfn_nag, CIS AWS "
        "Foundations Level 1 and Level 2 rule sets (skipped with a note where there is none; "
        "--require-registry makes that an error, exit 2, as CI needs). Prints located failures and "
        "passed/failed/suppressed/not-applicable counts per rule set; exits 1 on failures. "
        "--export writes the own rules and their parameters file for your own pipeline.",
    )
    p.add_argument("dir", nargs="?", default=".", metavar="DIR", help="package (default: .)")
    _settings_arg(p)
    p.add_argument(
        "--registry", metavar="PATH", help="the AWS Guard rules registry (its mappings/, rules/)"
    )
    p.add_argument(
        "--require-registry",
        action="store_true",
        help="exit 2 where no registry is given or found, instead of skipping its rule sets (CI)",
    )
    p.add_argument("--format", "-f", choices=["text", "json"], default="text")
    p.add_argument(
        "--export",
        metavar="OUT",
        help="write the own rules and cfct-build-guard-params.json into OUT; run nothing",
    )
    return parser


def _load(path: str):  # type: ignore[no-untyped-def]
    from cfct_build.config import load_settings

    return load_settings(path)


def cmd_build(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cfct_build.package import build_package, drift, write_package
    from cfct_build.queries import settings_notes
    from cfct_build.validate import has_errors, validate_files

    settings = _load(args.settings)
    for note in settings_notes(settings):  # non-fatal: the exit code is unchanged
        print(f"cfct-build build: note: {note}", file=err)
    pkg = build_package(settings)
    target = Path(args.out)
    if args.check:
        d = drift(pkg, target)
        if d.stale:
            print(f"{target}: the package differs from a fresh build of {args.settings}:", file=err)
            for rel in d.changed:
                print(f"  changed  {rel}", file=err)
            for rel in d.missing:
                print(f"  missing  {rel}", file=err)
            for rel in d.extra:
                print(f"  extra    {rel}", file=err)
            print("Run `cfct-build build` and commit the result.", file=err)
            return 1
        print(f"{target}: up to date ({len(pkg.files)} files)", file=out)
        return 0
    findings = validate_files(pkg.as_bytes(), lint=False)
    if has_errors(findings):
        for f in findings:
            print(str(f), file=err)
        print(
            "cfct-build: the generated package breaks the CfCT contract; nothing written", file=err
        )
        return 1
    d = write_package(pkg, target)
    for rel in d.missing:
        print(f"  created  {rel}", file=out)
    for rel in d.changed:
        print(f"  updated  {rel}", file=out)
    for rel in d.extra:
        print(f"  removed  {rel}", file=out)
    print(f"{target}: {len(pkg.files)} files, {len(d.stale)} changed", file=out)
    return 0


def cmd_package(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cfct_build.package import build_package, write_zip
    from cfct_build.validate import has_errors, validate_files

    settings = _load(args.settings)
    files = build_package(settings).as_bytes()
    findings = validate_files(files, lint=False)
    if has_errors(findings):
        for f in findings:
            print(str(f), file=err)
        return 1
    target = write_zip(files, Path(args.output))
    print(f"{target}: {len(files)} files", file=out)
    return 0


def cmd_validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cfct_build.validate import has_errors, validate_dir
    from cfct_build.validate.report import render

    path = Path(args.dir)
    if not (path.is_dir() or (path.is_file() and path.suffix.lower() == ".zip")):
        print(f"cfct-build validate: {path}: not a directory or a .zip package", file=err)
        return 2
    findings = validate_dir(path, lint=not args.no_lint)
    report = render(findings, args.format, lint=not args.no_lint, base=_report_base(path))
    if args.output:
        from cfct_build.bootstrap import write_atomically

        target = Path(args.output)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, report)
        report = render(findings, "text")
    out.write(report)
    return 1 if has_errors(findings) else 0


def _report_base(path: Path) -> str:
    """The package directory as the prefix of file locations in reports: relative to the
    working directory where it lies inside it; "" (package-relative) otherwise and for a zip."""
    if not path.is_dir():
        return ""
    if path.is_absolute():
        try:
            path = path.resolve().relative_to(Path.cwd().resolve())
        except ValueError:
            return ""
    rel = path.as_posix()
    return "" if rel == "." else rel


def cmd_prove(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cfct_build.prove import prove, render

    proof = prove(_load(args.settings))
    out.write(render(proof, args.format))
    return 0 if proof.ok else 1


def cmd_schema(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cfct_build.config import json_schema

    out.write(json.dumps(json_schema(), indent=2, sort_keys=True) + "\n")
    return 0


def cmd_bootstrap(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cfct_build import bootstrap

    settings = _load(args.settings)
    return bootstrap.run(
        settings, write=args.write, apply=args.apply, profile=args.profile, out=out, err=err
    )


def cmd_publish(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cfct_build import publish

    return publish.run(
        _load(args.settings),
        args.settings,
        bucket=args.bucket,
        zip_path=args.zip,
        dry_run=args.dry_run,
        profile=args.profile,
        out=out,
        err=err,
    )


def cmd_plan(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cfct_build import plan

    return plan.run(
        _load(args.settings),
        snapshot=args.snapshot,
        previous=args.previous,
        save_snapshot=args.save_snapshot,
        new_account=args.new_account,
        fmt=args.format,
        strict=args.strict,
        profile=args.profile,
        status_retired=args.status_retired,
        out=out,
        err=err,
    )


def cmd_cost(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cfct_build.cost import estimate, render
    from cfct_build.workload import load_prices, load_profile

    settings = _load(args.settings)
    profile = load_profile(args.profile_file, settings)
    comparison = estimate(settings, profile, load_prices())
    out.write(render(comparison, args.format, args.settings, args.profile_file))
    return 0


def cmd_simulate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cfct_build import simulate

    return simulate.run(
        _load(args.settings),
        settings_file=args.settings,
        snapshot_file=args.org_snapshot,
        new_account_ou=args.new_account_ou,
        fmt=args.format,
        out=out,
    )


def cmd_guard(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cfct_build import guard

    settings = _load(args.settings)
    if args.export:
        written = guard.export_rules(settings, Path(args.export))
        for path in written:
            print(f"  wrote  {path}", file=out)
        rules = Path(args.export)
        print(
            f"Run: cfn-guard validate --rules {rules} --input-params "
            f"{rules / guard.PARAMS_FILE} --data templates",
            file=out,
        )
        return 0
    registry = Path(args.registry) if args.registry else guard.default_registry()
    report = guard.run_guard(
        Path(args.dir), settings, registry, require_registry=args.require_registry
    )
    out.write(guard.render(report, args.format))
    return 0 if report.ok else 1


COMMANDS = {
    "build": cmd_build,
    "package": cmd_package,
    "validate": cmd_validate,
    "prove": cmd_prove,
    "schema": cmd_schema,
    "bootstrap": cmd_bootstrap,
    "publish": cmd_publish,
    "plan": cmd_plan,
    "cost": cmd_cost,
    "simulate": cmd_simulate,
    "guard": cmd_guard,
}


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse prints its own usage message
        return int(exc.code or 0)
    try:
        return COMMANDS[args.command](args, out, err)
    except CfctBuildError as exc:
        print(f"cfct-build {args.command}: error:", file=err)
        print(str(exc), file=err)
        return exc.exit_code
    except OSError as exc:  # a file or directory we could not read or write
        where = f": {exc.filename}" if exc.filename else ""
        print(f"cfct-build {args.command}: error{where}: {exc.strerror or exc}", file=err)
        return 1
    except KeyboardInterrupt:
        print("cfct-build: interrupted", file=err)
        return 130


if __name__ == "__main__":
    sys.exit(main())
