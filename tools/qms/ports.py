"""Free TCP ports, and whether a given process is the one listening on a port (Linux /proc)."""

import os
import socket
import time
from pathlib import Path

from .common import QmsError


def free_port(preferred, host="127.0.0.1", span=50):
    """The first port from `preferred` on that nobody listens on (TIME_WAIT counts as free, as for Odoo)."""
    for port in [preferred, *range(preferred + 1, preferred + span)]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((host, port))
            except OSError:
                continue
            return port
    raise QmsError(f"no free TCP port on {host} between {preferred} and {preferred + span - 1}")


def listening_inodes(port):
    """Inodes of the sockets listening on `port` (IPv4 and IPv6), from /proc/net/tcp*."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # 0A = LISTEN
                inodes.add(inode)
    return inodes


def port_in_use(port):
    """True when some socket listens on `port` (Linux /proc)."""
    return bool(listening_inodes(port))


def process_listens_on(pid, port):
    """True when process `pid` holds a socket listening on `port`; None when /proc cannot tell."""
    if not Path("/proc/net/tcp").exists():
        return None
    inodes = listening_inodes(port)
    if not inodes:
        return False
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if link.startswith("socket:[") and link[8:-1] in inodes:
            return True
    return False


def wait_until_listening(process, port, timeout=120):
    """Wait until `process` (a Popen) listens on `port`: True; False if it exited first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        owns = process_listens_on(process.pid, port)
        if owns:
            return True
        if owns is None and time.monotonic() > deadline - timeout + 15:  # no /proc: alive 15 s is good enough
            return True
        time.sleep(0.2)
    return process.poll() is None
