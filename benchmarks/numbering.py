"""Measure the numbering service against the bare RPC transport.

Run from the repository root:

    .venv/bin/python benchmarks/numbering.py [--seconds 8] [--json FILE]

The script creates its own RabbitMQ virtual host and PostgreSQL database,
starts the numbering service and two empty services in a child process
(`--serve`, max_workers=10), and measures for a fixed time each:

- round trips/s of bare.noop (stock @rpc, classic queue) and of
  bare_sac.noop (a queue with the single-active-consumer flag, the queue
  type numbering uses), with 1 and 10 callers;
- allocations/s through numbering.allocate on one series, 1 and 10 callers;
- committed `UPDATE counter ... RETURNING n` transactions/s in PostgreSQL
  over psycopg2, 1 and 10 connections;
- allocations/s with 34 callers, each on the series of its own unit.

Every RPC caller is a greenlet with its own long-lived ClusterRpcProxy. After
each allocation run the script checks in the database that every series
contains exactly the numbers 1..N. It deletes the virtual host and the
database at the end, also after an error or Ctrl-C. Timings are printed,
never asserted.
"""
import eventlet

eventlet.monkey_patch()  # noqa: E402  (nameko and psycopg2 need a patched stdlib first)

import argparse  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

import psycopg2  # noqa: E402
import requests  # noqa: E402
from nameko.rpc import rpc  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from services.common.calendar import parse_moment, work_year  # noqa: E402
from services.common.config import (  # noqa: E402
    DEFAULT_DATABASE_SERVER, check_driver, database_url_key,
)
from services.common.rpc import single_active_rpc  # noqa: E402
from services.common.units import provincial_units  # noqa: E402

log = logging.getLogger("benchmarks.numbering")

DEFAULT_AMQP_SERVER = "pyamqp://guest:guest@127.0.0.1:5672"
DEFAULT_RABBIT_API = "http://guest:guest@127.0.0.1:15672"
MAX_WORKERS = 10
RPC_TIMEOUT = 30
# Seconds the parent waits for the child's services to reply.
STARTUP_TIMEOUT = 60
SINGLE_UNIT = "79"
KIND = "QD"
# One work year per allocation run, so that runs never share a series.
WORK_YEARS = {"warm-up": 2026, "1": 2027, "10": 2028, "34 series": 2029}


class BareService:
    """An RPC service that does nothing: the ceiling of the transport."""

    name = "bare"

    @rpc
    def noop(self):
        return None


class BareSingleActiveService:
    """Like BareService, on a single-active-consumer queue like numbering."""

    name = "bare_sac"

    @single_active_rpc
    def noop(self):
        return None


# --- child process --------------------------------------------------------

def serve():
    """Run numbering, bare and bare_sac until SIGTERM or the parent exits."""
    from nameko.runners import ServiceRunner

    from services.numbering.service import NumberingService

    logging.basicConfig(level=logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    config = {
        "AMQP_URI": os.environ["AMQP_URI"],
        "max_workers": MAX_WORKERS,
        "RPC_TIMEOUT": RPC_TIMEOUT,
        database_url_key("numbering"): check_driver(
            os.environ[database_url_key("numbering")]),
    }
    runner = ServiceRunner(config)
    for service in (NumberingService, BareService, BareSingleActiveService):
        runner.add_service(service)

    def stop(signum, frame):
        eventlet.spawn_n(runner.stop)

    def stop_when_orphaned(parent):
        while os.getppid() == parent:
            eventlet.sleep(1)
        log.warning("parent process %s exited, so the services stop", parent)
        runner.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    runner.start()
    eventlet.spawn_n(stop_when_orphaned, os.getppid())
    runner.wait()


# --- resources: virtual host, database, child -----------------------------

class VirtualHost:
    """A RabbitMQ virtual host created through the management API."""

    def __init__(self, api, amqp_server, user="guest"):
        self.api = api.rstrip("/")
        self.name = f"bench_{uuid.uuid4().hex[:10]}"
        self.uri = f"{amqp_server.rstrip('/')}/{self.name}"
        self.user = user

    def create(self):
        response = requests.put(f"{self.api}/api/vhosts/{self.name}", timeout=10)
        response.raise_for_status()
        response = requests.put(
            f"{self.api}/api/permissions/{self.name}/{self.user}",
            json={"configure": ".*", "write": ".*", "read": ".*"}, timeout=10,
        )
        response.raise_for_status()

    def delete(self):
        response = requests.delete(f"{self.api}/api/vhosts/{self.name}", timeout=30)
        if response.status_code not in (204, 404):
            response.raise_for_status()


class BenchDatabase:
    """A fresh numbering database plus a one-row counter table."""

    def __init__(self, server):
        self.name = f"bench_{uuid.uuid4().hex[:10]}"
        self.server = check_driver(server.rstrip("/"))
        self.url = f"{self.server}/{self.name}"

    def connect(self, database=None):
        target = make_url(self.url)
        if database is not None:
            target = target.set(database=database)
        arguments = target.translate_connect_args(username="user", database="dbname")
        return psycopg2.connect(**arguments)

    def create(self):
        from services.common.migrate import upgrade

        upgrade("numbering", self.url)
        with self.connect() as conn, conn.cursor() as cursor:
            cursor.execute("CREATE TABLE counter (id integer PRIMARY KEY, n bigint NOT NULL)")
            cursor.execute("INSERT INTO counter VALUES (1, 0)")
        conn.close()

    def drop(self):
        conn = self.connect("postgres")
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        finally:
            conn.close()


class Child:
    """This script started with --serve, in its own session."""

    def __init__(self, amqp_uri, database_url):
        env = dict(os.environ)
        env["AMQP_URI"] = amqp_uri
        env[database_url_key("numbering")] = database_url
        self.log = tempfile.NamedTemporaryFile(
            prefix="bench-numbering-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--serve"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()

    def log_tail(self, lines=30):
        text = Path(self.log.name).read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])


# --- CPU accounting -------------------------------------------------------

TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid, with_children=False):
    """Return user plus system CPU seconds of PID, from /proc/PID/stat.

    With WITH_CHILDREN, add the CPU time of children that PID has waited
    for, e.g. PostgreSQL backends that have exited.
    """
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text.rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    if with_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / TICKS


def command_cpu_seconds(command):
    """Return the CPU seconds of every process named COMMAND, with children."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() == command:
                total += process_cpu_seconds(entry.name, with_children=True)
        except (FileNotFoundError, ProcessLookupError):
            continue  # the process exited while being read
    return total


def machine_cpu_seconds():
    """Return (busy, total) CPU seconds of all cores, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:9]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICKS, sum(values) / TICKS


@dataclass
class CpuUse:
    """CPU seconds spent during one measurement, split by process.

    rabbitmq is every beam.smp process, postgres every postgres process
    (with its exited children), other the rest of the machine's busy time.
    """

    client: float
    service: float
    rabbitmq: float
    postgres: float
    other: float
    idle: float

    def describe(self):
        return (f"cpu s: client {self.client:.1f}, service {self.service:.1f}, "
                f"rabbitmq {self.rabbitmq:.1f}, postgres {self.postgres:.1f}, "
                f"other {self.other:.1f}, idle {self.idle:.1f}")


class CpuMeter:
    """A reader of the CPU counters taken before and after a measurement."""

    def __init__(self, child_pid):
        self.child_pid = child_pid

    def snapshot(self):
        own = os.times()
        busy, total = machine_cpu_seconds()
        return (own.user + own.system, process_cpu_seconds(self.child_pid),
                command_cpu_seconds("beam.smp"), command_cpu_seconds("postgres"),
                busy, total)

    def difference(self, before, after):
        client, service, rabbitmq, postgres, busy, total = (
            b - a for a, b in zip(before, after))
        other = busy - client - service - rabbitmq - postgres
        return CpuUse(client=client, service=service, rabbitmq=rabbitmq,
                      postgres=postgres, other=max(other, 0.0),
                      idle=total - busy)


# --- measurement ----------------------------------------------------------

@dataclass
class Result:
    """The outcome of one fixed-time measurement."""

    name: str
    callers: int
    seconds: float
    latencies: list = field(default_factory=list)
    values: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    cpu: CpuUse = None
    check: str = ""

    @property
    def count(self):
        return len(self.latencies)

    @property
    def rate(self):
        return self.count / self.seconds if self.seconds else 0.0

    def percentile(self, fraction):
        """Return the nearest-rank percentile of the latencies, in ms."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    def describe(self):
        text = (f"{self.name:<22} {self.callers:>2} callers  {self.count:>6} done  "
                f"{self.rate:8.1f}/s  p50 {self.percentile(0.5):6.2f} ms  "
                f"p99 {self.percentile(0.99):6.2f} ms")
        if self.errors:
            text += f"  ERRORS {len(self.errors)}: {self.errors[0]}"
        return text

    def summary(self):
        return {
            "name": self.name, "callers": self.callers, "count": self.count,
            "seconds": round(self.seconds, 3), "rate": round(self.rate, 1),
            "p50_ms": round(self.percentile(0.5), 3),
            "p99_ms": round(self.percentile(0.99), 3),
            "errors": len(self.errors), "check": self.check,
            "cpu": ({key: round(value, 2) for key, value in vars(self.cpu).items()}
                    if self.cpu else None),
        }


def measure(name, callers, seconds, make_call, meter):
    """Run CALLERS greenlets, each repeating its call for SECONDS.

    make_call(index) returns the function a caller repeats. That function
    gets the caller's sequence number and returns a value to keep, or None. A caller
    stops at its first error. The rate counts the calls finished until the
    last caller stops, over the time until then.
    """
    result = Result(name, callers, 0.0)
    start_gate = eventlet.event.Event()
    calls = [make_call(index) for index in range(callers)]

    def caller(call):
        start_gate.wait()
        sequence = 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                value = call(sequence)
            except Exception as error:  # noqa: BLE001  (reported, not raised)
                result.errors.append(f"{type(error).__name__}: {error}")
                return
            result.latencies.append(time.perf_counter() - started)
            if value is not None:
                result.values.append(value)
            sequence += 1

    pool = [eventlet.spawn(caller, call) for call in calls]
    eventlet.sleep(0)
    before = meter.snapshot()
    began = time.monotonic()
    deadline = began + seconds
    start_gate.send()
    try:
        for greenlet in pool:
            greenlet.wait()
    finally:
        # After Ctrl-C, stop callers still waiting on a reply, so that their
        # proxies can be closed.
        for greenlet in pool:
            greenlet.kill()
    result.seconds = time.monotonic() - began
    result.cpu = meter.difference(before, meter.snapshot())
    return result


def issued_at_in(year):
    """Return an issued_at moment that falls in work year YEAR."""
    moment = f"{year - 1}-11-15T09:00:00+07:00"
    if work_year(parse_moment(moment)) != year:
        raise RuntimeError(f"{moment} is not in work year {year}")
    return moment


def allocate_calls(proxies, units, year, tag):
    """Build make_call for allocate: caller i uses units[i % len(units)]."""
    issued_at = issued_at_in(year)

    def make_call(index):
        numbering = proxies[index].numbering
        unit = units[index % len(units)]

        def call(sequence):
            request_id = f"bench-{tag}-{index}-{sequence}"
            reply = numbering.allocate(unit, KIND, issued_at, request_id)
            return (unit, reply["number"])

        return call

    return make_call


def noop_calls(proxies, service):
    def make_call(index):
        target = getattr(proxies[index], service)

        def call(sequence):
            return target.noop()

        return call

    return make_call


def counter_calls(connections):
    """Build make_call for the counter: caller i owns connections[i]."""
    def make_call(index):
        conn = connections[index]
        cursor = conn.cursor()

        def call(sequence):
            cursor.execute("UPDATE counter SET n = n + 1 WHERE id = 1 RETURNING n")
            value = cursor.fetchone()[0]
            conn.commit()
            return value

        return call

    return make_call


# --- checks ---------------------------------------------------------------

SERIES_CHECK = """
    SELECT x.unit, count(*), count(DISTINCT x.number), min(x.number),
           max(x.number), count(*) FILTER (WHERE x.status <> 'allocated'),
           s.last_allocated, s.ledger_length
    FROM numbers x
    JOIN series s USING (unit, kind, work_year)
    WHERE x.kind = %s AND x.work_year = %s
    GROUP BY x.unit, s.last_allocated, s.ledger_length
    ORDER BY x.unit
"""


def check_series(database, result, units, year):
    """Check that every series of YEAR contains exactly 1..N, N = replies."""
    replies = {unit: [] for unit in units}
    for unit, number in result.values:
        replies[unit].append(number)
    with database.connect() as conn, conn.cursor() as cursor:
        cursor.execute(SERIES_CHECK, (KIND, year))
        rows = {row[0]: row[1:] for row in cursor.fetchall()}
    conn.close()

    problems = []
    for unit in units:
        expected = len(replies[unit])
        if unit not in rows:
            problems.append(f"{unit}: no numbers stored, {expected} replies")
            continue
        count, distinct, low, high, other, last, ledger_length = rows[unit]
        if not (count == distinct == high == expected and low == 1):
            problems.append(f"{unit}: {count} rows, {distinct} distinct, "
                            f"{low}..{high}, {expected} replies")
        if sorted(replies[unit]) != list(range(1, expected + 1)):
            problems.append(f"{unit}: the replies are not exactly 1..{expected}")
        if other or last != high or ledger_length != count:
            problems.append(f"{unit}: {other} rows not 'allocated', "
                            f"last_allocated {last}, ledger length {ledger_length}")
    extra = sorted(set(rows) - set(units))
    if extra:
        problems.append(f"unexpected series for units {', '.join(extra)}")
    if problems:
        return "FAILED: " + "; ".join(problems[:5])
    sizes = sorted(len(replies[unit]) for unit in units)
    span = f"1..{sizes[0]}" if sizes[0] == sizes[-1] else f"1..N, N {sizes[0]} to {sizes[-1]}"
    return (f"OK: {len(units)} series of work year {year}, each {span}, "
            f"no duplicate, no gap")


def check_counter(result, start_value):
    values = sorted(result.values)
    expected = list(range(start_value + 1, start_value + len(values) + 1))
    if values != expected:
        return f"FAILED: {len(values)} returned values are not {start_value + 1}.."
    return f"OK: values {start_value + 1}..{start_value + len(values)}, no duplicate, no gap"


def read_counter(database):
    with database.connect() as conn, conn.cursor() as cursor:
        cursor.execute("SELECT n FROM counter WHERE id = 1")
        value = cursor.fetchone()[0]
    conn.close()
    return value


# --- the run --------------------------------------------------------------

def open_proxies(amqp_uri, count):
    from nameko.standalone.rpc import ClusterRpcProxy

    proxies = []
    for _ in range(count):
        proxy = ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=RPC_TIMEOUT)
        proxies.append((proxy, proxy.start()))
    return proxies


def wait_for_services(proxy, child):
    """Call every service until all reply or STARTUP_TIMEOUT passes."""
    from nameko.exceptions import UnknownService

    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        if child.proc.poll() is not None:
            raise RuntimeError(f"the service process exited with code "
                               f"{child.proc.returncode}:\n{child.log_tail()}")
        try:
            proxy.bare.noop()
            proxy.bare_sac.noop()
            proxy.numbering.series_status(SINGLE_UNIT, KIND, WORK_YEARS["warm-up"])
            return
        except UnknownService:
            if time.monotonic() > deadline:
                raise RuntimeError(f"services did not reply within "
                                   f"{STARTUP_TIMEOUT} s:\n{child.log_tail()}") from None
            eventlet.sleep(0.2)


def report(result):
    print(result.describe(), flush=True)
    print(f"{'':<26}{result.cpu.describe()}", flush=True)
    if result.check:
        print(f"{'':<26}check: {result.check}", flush=True)


def run_all(args, vhost, database, child):
    units = [unit.code for unit in provincial_units()]
    if len(units) != 34:
        raise RuntimeError(f"expected 34 provincial units, found {len(units)}")
    meter = CpuMeter(child.proc.pid)
    opened = open_proxies(vhost.uri, len(units))
    proxies = [client for _, client in opened]
    connections = [database.connect() for _ in range(10)]
    results = []
    try:
        wait_for_services(proxies[0], child)
        tag = uuid.uuid4().hex[:6]

        def allocation(label, callers, run_units):
            year = WORK_YEARS[label]
            name = "allocate" if label != "34 series" else "allocate, 34 series"
            result = measure(name, callers, args.seconds,
                             allocate_calls(proxies, run_units, year, f"{tag}{year}"),
                             meter)
            result.check = check_series(database, result, run_units, year)
            return result

        def noop(service, callers):
            return measure(f"{service}.noop", callers, args.seconds,
                           noop_calls(proxies, service), meter)

        def counter(callers):
            start_value = read_counter(database)
            result = measure("postgres counter", callers, args.seconds,
                             counter_calls(connections), meter)
            result.check = check_counter(result, start_value)
            return result

        print(f"warming up for {args.warmup} s ...", flush=True)
        warm = measure("warm-up", 10, args.warmup,
                       allocate_calls(proxies, [SINGLE_UNIT], WORK_YEARS["warm-up"],
                                      f"{tag}warm"), meter)
        measure("warm-up", 10, args.warmup, noop_calls(proxies, "bare"), meter)
        measure("warm-up", 10, args.warmup, noop_calls(proxies, "bare_sac"), meter)
        print(f"warm-up check: "
              f"{check_series(database, warm, [SINGLE_UNIT], WORK_YEARS['warm-up'])}",
              flush=True)

        for callers in (1, 10):
            for step in (lambda: noop("bare", callers),
                         lambda: noop("bare_sac", callers),
                         lambda: allocation(str(callers), callers, [SINGLE_UNIT]),
                         lambda: counter(callers)):
                result = step()
                report(result)
                results.append(result)
        result = allocation("34 series", len(units), units)
        report(result)
        results.append(result)
    finally:
        for conn in connections:
            conn.close()
        for proxy, _ in opened:
            try:
                proxy.stop()
            except Exception as error:  # noqa: BLE001  (close the others too)
                print(f"failed to close an RPC proxy: {error}", file=sys.stderr,
                      flush=True)
    return results


def print_ratios(results):
    rates = {(r.name, r.callers): r.rate for r in results}
    print(flush=True)
    for callers in (1, 10):
        allocate = rates[("allocate", callers)]
        for bare in ("bare", "bare_sac"):
            base = rates[(f"{bare}.noop", callers)]
            ratio = allocate / base if base else float("nan")
            verdict = "meets" if ratio >= 0.8 else "below"
            print(f"allocate / {bare}.noop, {callers:>2} callers: {ratio:.2f} "
                  f"({verdict} the 0.8 goal)", flush=True)


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0,
                        help="duration of each measurement in seconds (default 8)")
    parser.add_argument("--warmup", type=float, default=1.0,
                        help="duration of each warm-up run in seconds (default 1)")
    parser.add_argument("--json", metavar="FILE",
                        help="also write the figures to FILE as JSON")
    parser.add_argument("--amqp-server", default=DEFAULT_AMQP_SERVER,
                        help="broker URI without a virtual host "
                             f"(default {DEFAULT_AMQP_SERVER})")
    parser.add_argument("--rabbit-api", default=DEFAULT_RABBIT_API,
                        help=f"RabbitMQ management API URI (default {DEFAULT_RABBIT_API})")
    parser.add_argument("--database-server",
                        default=os.environ.get("THADS_DATABASE_SERVER",
                                               DEFAULT_DATABASE_SERVER),
                        help="PostgreSQL server URL without a database name "
                             f"(default $THADS_DATABASE_SERVER or {DEFAULT_DATABASE_SERVER})")
    parser.add_argument("--serve", action="store_true",
                        help="run the services under test (used by the script itself)")
    return parser.parse_args(argv)


def interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv=None):
    args = parse_arguments(argv)
    if args.serve:
        serve()
        return 0

    # Set SIGINT too, because a shell starts background jobs with it ignored.
    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    vhost = VirtualHost(args.rabbit_api, args.amqp_server)
    database = BenchDatabase(args.database_server)
    child = None
    exit_code = 1
    try:
        vhost.create()
        database.create()
        print(f"virtual host {vhost.name}, database {database.name}, "
              f"load average {os.getloadavg()[0]:.2f} before the run", flush=True)
        child = Child(vhost.uri, database.url)
        results = run_all(args, vhost, database, child)
        print_ratios(results)
        if args.json:
            Path(args.json).write_text(json.dumps(
                [result.summary() for result in results], indent=2) + "\n")
        failed = [r for r in results if r.errors or r.check.startswith("FAILED")]
        exit_code = 1 if failed else 0
    except KeyboardInterrupt:
        print("interrupted, cleaning up", file=sys.stderr, flush=True)
        exit_code = 130
    finally:
        cleanup(vhost, database, child, keep_log=exit_code == 1)
    return exit_code


def cleanup(vhost, database, child, keep_log):
    """Stop the child, then drop the database and delete the virtual host."""
    steps = [("stop the service process", child.stop if child else None),
             (f"drop database {database.name}", database.drop),
             (f"delete virtual host {vhost.name}", vhost.delete)]
    for description, step in steps:
        if step is None:
            continue
        try:
            step()
        except Exception as error:  # noqa: BLE001  (keep cleaning up)
            print(f"failed to {description}: {error}", file=sys.stderr, flush=True)
    if child is None:
        return
    if keep_log:
        print(f"service log kept in {child.log.name}", file=sys.stderr, flush=True)
    else:
        os.unlink(child.log.name)


if __name__ == "__main__":
    sys.exit(main())
