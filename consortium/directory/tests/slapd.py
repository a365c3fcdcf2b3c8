"""A real OpenLDAP server for the tests and benchmarks: Debian's slapd, started on a free
port with a generated configuration (mdb database, inetOrgPerson schema, a read-only
account limited to 100 entries per search unless it pages), loaded with slapadd."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from consortium.directory.generate import Made

SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
SLAPADD = shutil.which("slapadd") or "/usr/sbin/slapadd"
SUFFIX = "dc=county,dc=example"
ADMIN_DN = f"cn=admin,{SUFFIX}"
READER_DN = f"cn=reader,{SUFFIX}"
PASSWORD = "directory-test-secret"
PEOPLE = f"ou=People,{SUFFIX}"


def available() -> bool:
    return Path(SLAPD).exists() and Path(SLAPADD).exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def person_ldif(p: Made) -> str:
    lines = [
        f"dn: uid={p.key},{PEOPLE}",
        "objectClass: inetOrgPerson",
        f"uid: {p.key}",
        f"cn: {p.given} {p.family}",
        f"givenName: {p.given}",
        f"sn: {p.family}",
        f"mail: {p.email}",
        f"telephoneNumber: {p.phone}",
        f"title: {p.title}",
        f"ou: {p.department}",
        f"departmentNumber: {p.team}",
        f"employeeType: {p.function}",
        f"physicalDeliveryOfficeName: {p.location}",
    ]
    if p.preferred:
        lines.append(f"displayName: {p.preferred}")
    for service in p.services.split(";"):
        lines.append(f"businessCategory: {service}")
    if p.manager:
        lines.append(f"manager: uid={p.manager},{PEOPLE}")
    return "\n".join(lines) + "\n"


@dataclass
class Slapd:
    folder: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [SLAPD, "-f", str(self.folder / "slapd.conf"), "-h", self.url + "/", "-d", "0"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"slapd stopped at once: {err[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("slapd did not start within 20 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def admin(self):  # type: ignore[no-untyped-def]
        """A connection as the directory's administrator, to change entries."""
        import ldap3

        return ldap3.Connection(
            ldap3.Server("127.0.0.1", port=self.port, get_info=ldap3.NONE),
            ADMIN_DN,
            PASSWORD,
            auto_bind=True,
        )


def make(people: Iterable[Made], *, size_limit: int = 100) -> Slapd:
    """A new server holding `people`, started. Call remove() when done."""
    folder = Path(tempfile.mkdtemp(prefix="consortium-slapd-"))
    (folder / "db").mkdir()
    conf = f"""
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile {folder}/slapd.pid
argsfile {folder}/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
sizelimit {size_limit}
database mdb
maxsize 4294967296
suffix "{SUFFIX}"
rootdn "{ADMIN_DN}"
rootpw {PASSWORD}
directory {folder}/db
index objectClass eq
index uid eq
limits dn.exact="{READER_DN}" size.prtotal=unlimited
access to attrs=userPassword by self write by anonymous auth by * none
access to * by dn.exact="{READER_DN}" read by * none
"""
    (folder / "slapd.conf").write_text(conf)
    ldif = folder / "data.ldif"
    with ldif.open("w") as out:
        out.write(
            f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: county\no: County\n\n"
        )
        out.write(f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: People\n\n")
        out.write(
            f"dn: {READER_DN}\nobjectClass: simpleSecurityObject\nobjectClass: organizationalRole\n"
            f"cn: reader\nuserPassword: {PASSWORD}\n\n"
        )
        for p in people:
            out.write(person_ldif(p) + "\n")
    env = dict(os.environ)
    subprocess.run(
        [SLAPADD, "-q", "-f", str(folder / "slapd.conf"), "-l", str(ldif)],
        check=True,
        capture_output=True,
        env=env,
    )
    server = Slapd(folder=folder, port=_free_port())
    server.start()
    return server
