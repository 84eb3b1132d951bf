"""What the running processes really do, read from /proc (Linux): the addresses their process group listens
on, this machine's other addresses, peak memory."""
from __future__ import annotations

import os
import re
import socket
from pathlib import Path

Address = tuple[str, int]


def group_pids(leader: int) -> set[int]:
    """The process and every process of its group (Sanic workers included)."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == leader:  # state, ppid, pgrp
            pids.add(int(entry.name))
    return pids


def _socket_inodes(pids: set[int]) -> set[int]:
    inodes = set()
    for pid in pids:
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(int(target[8:-1]))
        except OSError:
            continue
    return inodes


def _address(hex_address: str, family: socket.AddressFamily) -> Address:
    host, port = hex_address.split(":")
    words = b"".join(int(host[i:i + 8], 16).to_bytes(4, "little") for i in range(0, len(host), 8))
    return socket.inet_ntop(family, words), int(port, 16)


def listening_addresses(leader: int) -> set[Address]:
    """The TCP addresses on which the process group of ``leader`` accepts connections."""
    inodes = _socket_inodes(group_pids(leader))
    found = set()
    for table, family in (("/proc/net/tcp", socket.AF_INET), ("/proc/net/tcp6", socket.AF_INET6)):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            columns = line.split()
            if columns[3] == "0A" and int(columns[9]) in inodes:  # 0A: LISTEN
                found.add(_address(columns[1], family))
    return found


def other_local_addresses() -> set[str]:
    """This machine's IPv4 addresses other than loopback (from /proc/net/fib_trie)."""
    trie = Path("/proc/net/fib_trie")
    if not trie.exists():
        return set()
    found = re.findall(r"\|-- (\d+\.\d+\.\d+\.\d+)\n\s+/32 host LOCAL", trie.read_text())
    return {address for address in found if not address.startswith("127.")}


def peak_memory_kib(pid: int) -> int:
    return int(re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text()).group(1))
