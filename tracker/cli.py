"""The ``tracker`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tracker.bootstrap import Tracker, bootstrap
from tracker.config import SettingsError, load_settings
from tracker.credentials import check_name, check_new_password, shown
from tracker.domain.errors import DomainError


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; wrong input or settings print one line and exit non-zero."""
    parser = _parser()
    args = parser.parse_args(argv)
    if hasattr(args, "run_alone"):  # needs no database: a reader's own machine
        alone: int = args.run_alone(args)
        return alone
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        settings = load_settings()
        tracker = bootstrap(settings)
    except SettingsError as error:
        print(f"tracker: {error}", file=sys.stderr)
        return 2
    try:
        result: int = args.run(tracker, args)
        return result
    except (DomainError, SettingsError) as error:
        print(f"tracker: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        tracker.close()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tracker", description="Did anything concrete come of it? A public tracker.")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    def command(name: str, run: Callable[[Tracker, argparse.Namespace], int],
                summary: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=summary, description=summary)
        sub.set_defaults(run=run)
        return sub

    serve = command("serve", _serve, "run the web app (embedded SQLite by default)")
    serve.add_argument("--demo", action="store_true", help="load the demo data first")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1,
                       help="web worker processes (each keeps its own connections)")
    serve.add_argument("--access-log", action=argparse.BooleanOptionalAction, default=None,
                       help="a line per request on standard output (default: "
                            "TRACKER_ACCESS_LOG, off)")

    worker = command("worker", _worker,
                     "keep the read models current (production: run beside the web workers)")
    worker.add_argument("--once", action="store_true", help="catch up once, then exit")

    command("demo", _demo, "load the 2014 assembly as demo data, through the real commands")
    command("rebuild", _rebuild, "rebuild every read model from event position 0, beside "
            "the live ones, and switch to them when done")
    skip = command("skip-event", _skip_event,
                   "let projection and rebuilds pass over an event they cannot take; "
                   "/healthz lists it")
    skip.add_argument("position", type=int, help="the event's position (named on /healthz)")
    skip.add_argument("--reason", required=True, help="why it is skipped (kept, and shown)")
    unskip = command("unskip-event", _unskip_event,
                     "take an event off the skip list (a rebuild then projects it again)")
    unskip.add_argument("position", type=int)

    publish = command("publish", _publish,
                      "write the public pages, feeds and calendars as static files")
    publish.add_argument("directory", type=Path)
    publish.add_argument("--watch", action="store_true",
                         help="keep it current: re-write changed files as events arrive")

    export = command("export", _export,
                     "write the open-data files (events.jsonl, issues.csv, commitments.csv)")
    export.add_argument("directory", type=Path)

    users = commands.add_parser("users", help="manage staff accounts and their tokens")
    user_commands = users.add_subparsers(title="users commands", metavar="ACTION")
    add = user_commands.add_parser("add", help="add an account; prints its API token last")
    add.add_argument("name")
    add.add_argument("--role", required=True,
                     help="secretariat | moderator | admin | assessor | owner")
    add.add_argument("--owner", metavar="SLUG",
                     help="for --role owner: the owner (by slug) whose commitments the "
                          "account may update, and no others")
    add.add_argument("--password", action="store_true",
                     help="also set a password for the staff pages (asked for, or read "
                          "from standard input when it is not a terminal)")
    add.set_defaults(run=_users_add)
    password = user_commands.add_parser(
        "password", help="set an account's password for the staff pages (asked for, or read "
                         "from standard input when it is not a terminal)")
    password.add_argument("name")
    password.set_defaults(run=_users_password)
    listing = user_commands.add_parser("list", help="accounts, roles, live tokens, last use")
    listing.set_defaults(run=_users_list)
    revoke = user_commands.add_parser("revoke", help="revoke every token of an account")
    revoke.add_argument("name")
    revoke.set_defaults(run=_users_revoke)
    token = user_commands.add_parser("token", help="issue another token; printed last")
    token.add_argument("name")
    token.set_defaults(run=_users_token)
    changes = user_commands.add_parser(
        "log", help="the account log, newest first: who added, changed or revoked an "
                    "account, and staff logins and logouts")
    changes.add_argument("name", nargs="?", help="only this account's entries")
    changes.add_argument("--limit", type=int, default=50, help="entries to show (50)")
    changes.set_defaults(run=_users_log)

    importing = commands.add_parser("import", help="import what a Board keeps elsewhere")
    import_commands = importing.add_subparsers(title="import commands", metavar="WHAT")
    actions = import_commands.add_parser(
        "actions", help="a Board's action log (CSV or .xlsx): each row a commitment, matched "
                        "by its own reference; nothing is written if any row is refused")
    actions.add_argument("file", type=Path)
    actions.add_argument("--map", metavar="FIELD=HEADER,...",
                         help="the log's own headers, e.g. \"due=Target date,owner=Lead\" "
                              "(fields: reference, issue, text, owner, due, measure, status, "
                              "note, evidence, made)")
    actions.add_argument("--dry-run", action="store_true",
                         help="report what each row would do (or why it is refused); write "
                              "nothing")
    actions.set_defaults(run=_import_actions)

    owners = commands.add_parser("owners", help="owners' private contact for reminders")
    owner_commands = owners.add_subparsers(title="owners commands", metavar="ACTION")
    contact = owner_commands.add_parser(
        "contact", help="keep an owner's private e-mail address, for reminders of due and "
                        "overdue commitments (erased by erase-person)")
    contact.add_argument("slug")
    contact.add_argument("email")
    contact.set_defaults(run=_owner_contact)

    command("send-alerts", _send_alerts,
            "send the e-mail alerts that are due, once (run it from cron when there is no "
            "worker)")
    command("tick", _send_alerts,
            "time-based work: daily digests, due alerts, \"was it delivered?\" questions and "
            "overdue-response alerts; safe to run any number of times")

    from tracker import verify_command

    verify = commands.add_parser(
        "verify", help="check a tracker's published log: signature, every entry, history",
        description="Check a tracker's published log: the checkpoint's signature, every "
                    "entry against its leaf, the words of every public entry, and that the "
                    "log extends the one seen last time. Exit 0: verified; 1: it does not "
                    "verify (the first entry that differs is named); 2: cannot be read.")
    verify_command.add_arguments(verify)
    verify.set_defaults(run_alone=verify_command.run)

    erase = command("erase-person", _erase_person,
                    "erase a person's contact details everywhere, keeping the public history")
    erase.add_argument("email")
    return parser


def _serve(tracker: Tracker, args: argparse.Namespace) -> int:
    import os

    from tracker.web.server import serve

    if args.workers < 1:
        raise SettingsError("--workers must be 1 or more")
    if args.demo:
        _demo(tracker, args)
    if args.access_log is not None:
        # The server's processes read their settings from the environment.
        os.environ["TRACKER_ACCESS_LOG"] = "true" if args.access_log else "false"
    if not os.environ.get("TRACKER_BASE_URL"):
        # Feeds and mails need absolute links: without the setting, this server's own
        # address, so a local run's feed links work.
        host = f"[{args.host}]" if ":" in args.host else args.host
        os.environ["TRACKER_BASE_URL"] = f"http://{host}:{args.port}"
        if args.host not in ("127.0.0.1", "localhost", "::1"):
            print(f"tracker: warning: TRACKER_BASE_URL is not set, so feeds and mails link "
                  f"to http://{host}:{args.port}; set it to the public address",
                  file=sys.stderr)
    tracker.close()  # every server process bootstraps its own
    print(f"Serving on http://{args.host}:{args.port}/", file=sys.stderr)
    serve(tracker.settings, args.host, args.port, args.workers)
    return 0


def _worker(tracker: Tracker, args: argparse.Namespace) -> int:
    from tracker.publish import Publisher
    from tracker.worker import run_worker

    directory = tracker.settings.publish_dir
    publisher = Publisher(tracker, directory) if directory else None
    try:
        return run_worker(tracker, once=args.once, publisher=publisher)
    finally:
        if publisher is not None:
            publisher.close()


def _demo(tracker: Tracker, _args: argparse.Namespace) -> int:
    from tracker.demo import load_demo

    report = load_demo(tracker)
    print(report)
    return 0


def _publish(tracker: Tracker, args: argparse.Namespace) -> int:
    from tracker.publish import Publisher
    from tracker.worker import run_worker

    if args.directory.exists() and not args.directory.is_dir():
        raise SettingsError(f"publish: {args.directory} exists and is not a directory")
    from tracker.progress import Progress

    publisher = Publisher(tracker, args.directory)  # refuses a directory with links first
    try:
        tracker.projector.catch_up()
        with Progress("publish", 0, "pages") as progress:
            publisher.on_page = lambda done, total: progress.update(done, total)
            report = publisher.publish_all()
        publisher.on_page = None  # the watch that may follow reports in the worker's log
        print(f"Published up to event {report.published}: {report.written} files written, "
              f"{report.unchanged} unchanged, in {args.directory}")
        if report.failed:
            print(f"tracker: publish: {report.failed} pages could not be built (is the "
                  "database reachable?); the next run tries them again", file=sys.stderr)
        if args.watch:
            return run_worker(tracker, publisher=publisher)
    finally:
        publisher.close()
    return 1 if report.failed else 0


def _export(tracker: Tracker, args: argparse.Namespace) -> int:
    from tracker.site.addresses import site_of
    from tracker.site.exports import open_data_files

    directory: Path = args.directory
    if directory.exists() and not directory.is_dir():
        raise SettingsError(f"export: {directory} exists and is not a directory")
    directory.mkdir(parents=True, exist_ok=True)
    tracker.projector.catch_up()
    for name, chunks in open_data_files(site_of(tracker)).items():
        # Written beside, then renamed over: a reader never sees half a file.
        partial = directory / f".{name}.partial"
        with partial.open("w", encoding="utf-8", newline="") as out:
            for chunk in chunks:
                out.write(chunk)
        partial.replace(directory / name)
    print(f"Exported events.jsonl, issues.csv and commitments.csv to {directory}")
    return 0


def _rebuild(tracker: Tracker, _args: argparse.Namespace) -> int:
    from tracker.progress import Progress
    from tracker.projections.rebuild import RebuildBusy
    from tracker.projections.runner import ProjectionError

    total = tracker.app.recorder.max_notification_id() or 0
    try:
        with Progress("rebuild", total, "events") as progress:
            position = tracker.projector.rebuild(on_batch=progress.update)
    except (ProjectionError, RebuildBusy) as error:
        print(f"tracker: rebuild stopped: {error}. The read models are as they were.",
              file=sys.stderr)
        return 1
    print(f"Rebuilt every read model up to event {position}")
    return 0


def _skip_event(tracker: Tracker, args: argparse.Namespace) -> int:
    from tracker.projections import problems

    position, reason = args.position, args.reason.strip()
    if not reason:
        raise SettingsError("skip-event: --reason must say why the event is skipped")
    found = tracker.app.recorder.select_notifications(start=position, limit=1) \
        if position > 0 else []
    if not found or found[0].id != position:
        raise SettingsError(f"skip-event: there is no event at position {position}")
    projected = tracker.projector.position()
    with tracker.engine.connect() as conn:
        recorded = problems.is_recorded(conn, position)
    if not recorded and position > projected:
        raise SettingsError(
            f"skip-event: the event at position {position} has not stopped projection "
            f"(the read models are at {projected}); nothing was changed")
    problems.skip(tracker.write_engine, position, found[0].topic, reason)
    print(f"Skipped the event at position {position} ({found[0].topic}): projection and "
          "rebuilds pass over it, and /healthz lists it. Undo with: tracker unskip-event "
          f"{position}")
    if position <= projected:
        print("It was projected before: the read models keep it until the next rebuild.")
    return 0


def _unskip_event(tracker: Tracker, args: argparse.Namespace) -> int:
    from tracker.projections import problems

    if not problems.unskip(tracker.write_engine, args.position):
        raise SettingsError(f"unskip-event: the event at position {args.position} is not "
                            "skipped")
    print(f"The event at position {args.position} is no longer skipped; `tracker rebuild` "
          "projects it again")
    return 0


def _read_password() -> str:
    """From the terminal (asked twice), or the first line of standard input (scripts)."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass("Password (12 characters or more, not a common one): ")
    if getpass.getpass("The same again: ") != first:
        raise SettingsError("the two passwords differ; nothing was changed")
    return first


def _users_add(tracker: Tracker, args: argparse.Namespace) -> int:
    # The name and password are checked before the account exists, so a bad one adds nothing.
    check_name(args.name)
    password = _read_password() if args.password else None
    if password is not None:
        check_new_password(password, args.name)
    if args.owner:
        from tracker.domain.reference import Owner
        tracker.app.get_reference(Owner, args.owner)  # an unknown owner adds nothing
    account, token = tracker.accounts.add(args.name, args.role, owner=args.owner)
    if password is not None:
        tracker.accounts.set_password(account.name, password)
    of = f" of {account.owner}" if account.owner else ""
    print(f"Added {account.name} ({account.role}{of}), account {account.id}. "
          "Its API token is shown once, on the next line:")
    print(token)
    return 0


def _users_password(tracker: Tracker, args: argparse.Namespace) -> int:
    tracker.accounts.set_password(args.name, _read_password())
    print(f"Password set for {shown(args.name)}; any open sessions of it were ended")
    return 0


def _users_list(tracker: Tracker, _args: argparse.Namespace) -> int:
    # Names made before names kept to an alphabet are escaped by shown(): printed raw, one
    # could clear the screen, or pass for another account ("adm\u0456n" for "admin").
    for a in tracker.accounts.list():
        used = a.last_used_at.isoformat(timespec="minutes") if a.last_used_at else "never"
        login = "password set" if a.has_password else "no password"
        role = f"{a.role} of {a.owner}" if a.owner else a.role
        print(f"{shown(a.name)}\t{shown(role)}\t{a.live_tokens} live tokens\t"
              f"last used {used}\t{login}")
    return 0


def _users_log(tracker: Tracker, args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise SettingsError("users log: --limit must be 1 or more")
    for c in tracker.accounts.log(args.name, limit=args.limit):
        detail = f"\t{c.detail}" if c.detail else ""
        print(f"{c.at.isoformat(timespec='seconds')}\t{shown(c.account_name)} (account "
              f"{c.account_id})\t{c.action}\tby {c.by.described()}{detail}")
    return 0


def _users_revoke(tracker: Tracker, args: argparse.Namespace) -> int:
    count = tracker.accounts.revoke(args.name)
    print(f"Revoked {count} tokens of {shown(args.name)}")
    return 0


def _users_token(tracker: Tracker, args: argparse.Namespace) -> int:
    token = tracker.accounts.new_token(args.name)
    print(f"A new token for {shown(args.name)}, shown once, on the next line:")
    print(token)
    return 0


def _send_alerts(tracker: Tracker, _args: argparse.Namespace) -> int:
    from tracker.following.sender import sender_for

    if not tracker.settings.mail_enabled:
        raise SettingsError("send-alerts: TRACKER_SMTP_HOST is not set, so no mail is sent")
    tracker.projector.catch_up()
    report = sender_for(tracker).run()
    print(report)
    from tracker.following.reminders import Reminders

    print(Reminders(tracker).run())
    return 0


def _import_actions(tracker: Tracker, args: argparse.Namespace) -> int:
    from tracker.importing.actions import ActionLogImport, owner_names, parse_mapping
    from tracker.importing.sheets import count_rows
    from tracker.progress import Progress

    mapping = parse_mapping(args.map)
    tracker.projector.catch_up()  # the owners named by the log are read from the read model
    job = ActionLogImport(tracker.app, owner_names(tracker.engine), args.file, mapping)
    refused: list[str] = []

    def report(row: Any) -> None:
        if args.dry_run:
            print(row.line())
        elif row.action == "refused":
            refused.append(row.line())

    with Progress(f"Importing {args.file.name}", count_rows(args.file), "rows") as progress:
        summary = job.run(dry_run=args.dry_run, on_row=report, tick=progress.advance)
    for line in refused[:50]:
        print(f"tracker: import actions: {line}", file=sys.stderr)
    if len(refused) > 50:
        print(f"tracker: import actions: and {len(refused) - 50} more refused rows",
              file=sys.stderr)
    print(summary.line())
    return 1 if summary.counts["refused"] else 0


def _owner_contact(tracker: Tracker, args: argparse.Namespace) -> int:
    from tracker.addresses import InvalidAddress
    from tracker.domain.reference import Owner

    tracker.app.get_reference(Owner, args.slug)
    try:
        tracker.contacts.keep_owner(args.slug, args.email)
    except InvalidAddress as error:
        print(f"tracker: owners contact: {error}; nothing was kept", file=sys.stderr)
        return 2
    print(f"Reminders for {args.slug} go to that address (kept private)")
    return 0


def _erase_person(tracker: Tracker, args: argparse.Namespace) -> int:
    from tracker.addresses import InvalidAddress
    from tracker.erasure import erase_person

    try:
        erased = erase_person(tracker, args.email)
    except InvalidAddress as error:
        print(f"tracker: erase-person: {error}; nothing was erased", file=sys.stderr)
        return 2
    print(f"Erased {erased.contacts} stored contact records and {erased.follows} e-mail "
          "follows for that address; public history unchanged")
    if not erased.log_emptied:
        print("tracker: erase-person: the rows are deleted, but another process kept the "
              "database's write-ahead log busy, so old copies of them may remain in it; run "
              "the same command again when the server is quieter", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
