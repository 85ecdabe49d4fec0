"""The `thads` command: migrate, run services, load demo data, check.

This module is the composition root: it is the one place that knows
every service, so it may import them all; the services never import each
other.
"""
import warnings

# eventlet 0.41 warns at every import that it is in maintenance mode; the
# project knows, and the warning would bury the command's own output.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()  # noqa: E402  (nameko needs a patched stdlib first)

import argparse  # noqa: E402
import importlib  # noqa: E402
import logging  # noqa: E402
import logging.config  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402

from services.common import config  # noqa: E402

log = logging.getLogger("thads")

SERVICE_CLASSES = {
    "numbering": "services.numbering.service:NumberingService",
    "decisions": "services.decisions.service:DecisionsService",
    "registers": "services.registers.service:RegistersService",
    "notifications": "services.notifications.service:NotificationsService",
    "gateway": "gateway.service:GatewayService",
}
MIGRATED = ("numbering", "decisions", "registers", "notifications", "gateway")


def load_class(name):
    module_name, class_name = SERVICE_CLASSES[name].split(":")
    return getattr(importlib.import_module(module_name), class_name)


def available_services():
    """Return the names of the services whose code is present."""
    found = []
    for name, target in SERVICE_CLASSES.items():
        module_name = target.split(":")[0]
        if importlib.util.find_spec(module_name) is not None:
            found.append(name)
    return found


def migrated_services():
    base = os.path.dirname(os.path.abspath(__file__))
    roots = {name: os.path.join(base, name, "migrations") for name in MIGRATED}
    roots["gateway"] = os.path.join(os.path.dirname(base), "gateway", "migrations")
    return [name for name, path in roots.items() if os.path.isdir(path)]


def cmd_migrate(args):
    from services.common.migrate import upgrade

    for service in args.services or migrated_services():
        url = config.database_url(service)
        print(f"migrating {service} ...", flush=True)
        upgrade(service, url)
    print("migrations applied", flush=True)


def cmd_run(args):
    from nameko.runners import ServiceRunner

    names = args.services or available_services()
    unknown = sorted(set(names) - set(SERVICE_CLASSES))
    if unknown:
        sys.exit(f"unknown service {', '.join(unknown)}; "
                 f"choose from {', '.join(SERVICE_CLASSES)}")
    settings = config.service_config()
    logging.config.dictConfig(settings["LOGGING"])
    runner = ServiceRunner(settings)
    for name in names:
        runner.add_service(load_class(name))

    def stop(signum, frame):
        log.info("signal %s: stopping %s", signum, ", ".join(names))
        eventlet.spawn_n(runner.stop)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    runner.start()
    log.info("running %s against %s", ", ".join(names),
             redact(settings["AMQP_URI"]))
    runner.wait()


def redact(uri):
    """Hide the password in a broker or database URI for logs."""
    if "@" not in uri or "://" not in uri:
        return uri
    scheme, rest = uri.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"


def cmd_ledger_verify(args):
    from services.common.db import make_engine
    from services.numbering.ledger import verify
    from sqlalchemy.orm import Session

    from sqlalchemy.exc import OperationalError, ProgrammingError

    engine = make_engine(config.database_url("numbering"), 1)
    try:
        with Session(engine) as session:
            broken = verify(session, progress=lambda n: print(
                f"checked {n} entries", file=sys.stderr, flush=True))
    except (OperationalError, ProgrammingError) as error:
        sys.exit(f"cannot read the numbering database: {error.orig}; "
                 f"check NUMBERING_DATABASE_URL and run `thads migrate numbering`")
    if broken:
        print("ledger broken at entry {id} (series {unit}/{kind}/{work_year}, "
              "position {position}, number {number}): {problem}".format(**broken))
        sys.exit(1)
    print("ledger intact")


def direct_session(service):
    """Open a session on SERVICE's database, outside any running service."""
    from services.common.db import make_engine
    from sqlalchemy.orm import Session

    return Session(make_engine(config.database_url(service), 1))


def import_actor(unit, username):
    return {"username": username, "role": "clerk", "unit": unit}


def cmd_import(args):
    """Import intake files straight into the decisions database.

    The records' events wait in the outbox until the decisions service
    runs, so importing works whether or not the services are up.
    """
    from services.common.actors import actor_from
    from services.decisions import intake, receiving
    from services.decisions.exceptions import InvalidInput

    failed = False
    counts = {"created": 0, "duplicate": 0}
    for path in args.files:
        try:
            loaded = intake.load_file(path)
        except intake.IntakeError as error:
            failed = True
            print(f"{path}: invalid", file=sys.stderr)
            for item in error.errors:
                print(f"  {item['path']}: {item['message']}", file=sys.stderr)
            continue
        with direct_session("decisions") as session, session.begin():
            for index, record in enumerate(loaded):
                unit, _ = receiving.receiving_unit(record["receiving_unit"], index)
                actor = actor_from(import_actor(unit, args.user))
                try:
                    result = receiving.store(session, actor, record, index, None)
                except InvalidInput as error:
                    failed = True
                    print(f"{path}: {error.message}", file=sys.stderr)
                    continue
                counts[result["status"]] += 1
                if not args.quiet:
                    print(f"{path}[{index}]: {result['record_type']} "
                          f"{result['status']} {result['id']}")
    print(f"{counts['created']} records imported, {counts['duplicate']} "
          f"already present")
    if failed:
        sys.exit(1)


def cmd_demo(args):
    """Load demo users and the demo cases; loading twice changes nothing."""
    from pathlib import Path

    if "gateway" in available_services():
        from gateway.demo import load_demo_users

        with direct_session("gateway") as session, session.begin():
            load_demo_users(session)
        print("demo users ready: truong79, chv79, vanthu79, truong01, chv01, "
              "vanthu01, cuc, hotro, quantri; password: thads-demo")
    demo_dir = Path(__file__).resolve().parent / "decisions" / "demo"
    files = sorted(str(p) for p in demo_dir.glob("*.yaml"))
    if files:
        cmd_import(argparse.Namespace(files=files, user="demo", quiet=True))


def cmd_register_export(args):
    from services.registers.commands import export_register

    export_register(args.form, args.unit, args.work_year, args.format, args.out)


def cmd_register_rebuild(args):
    from services.registers.commands import rebuild

    differences = rebuild(args.form, args.unit, args.work_year)
    if differences:
        sys.exit(1)


def build_parser():
    parser = argparse.ArgumentParser(prog="thads", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    migrate = commands.add_parser("migrate", help="apply every service's migrations")
    migrate.add_argument("services", nargs="*", help="only these services")
    migrate.set_defaults(func=cmd_migrate)

    run = commands.add_parser("run", help="run services in the foreground")
    run.add_argument("services", nargs="*", help="services to run (default: all)")
    run.set_defaults(func=cmd_run)

    demo = commands.add_parser("demo", help="load demo units, users and cases")
    demo.set_defaults(func=cmd_demo)

    imports = commands.add_parser(
        "import", help="import judgments, requests and entrustments (JSON/YAML)")
    imports.add_argument("files", nargs="+", help="intake files")
    imports.add_argument("--user", default="import",
                         help="name recorded as the clerk who entered them")
    imports.add_argument("--quiet", action="store_true",
                         help="print only the totals, not one line per record")
    imports.set_defaults(func=cmd_import)

    register = commands.add_parser("register", help="statutory registers")
    register_commands = register.add_subparsers(
        dest="register_command", required=True)
    export = register_commands.add_parser(
        "export", help="export one register to XLSX or PDF, with progress")
    export.add_argument("form", help="form number, e.g. 03 for Mẫu số 03")
    export.add_argument("unit", help="provincial unit code, e.g. 79")
    export.add_argument("work_year", type=int, help="work year, e.g. 2027")
    export.add_argument("--format", choices=("xlsx", "pdf"), default="xlsx")
    export.add_argument("--out", required=True, help="file to write")
    export.set_defaults(func=cmd_register_export)
    rebuild = register_commands.add_parser(
        "rebuild", help="replay the event history and print every difference "
                        "from the stored registers")
    rebuild.add_argument("--form")
    rebuild.add_argument("--unit")
    rebuild.add_argument("--work-year", type=int)
    rebuild.set_defaults(func=cmd_register_rebuild)

    ledger = commands.add_parser("ledger", help="numbering ledger checks")
    ledger_commands = ledger.add_subparsers(dest="ledger_command", required=True)
    verify = ledger_commands.add_parser(
        "verify", help="check the hash chain; name the first broken entry")
    verify.set_defaults(func=cmd_ledger_verify)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
