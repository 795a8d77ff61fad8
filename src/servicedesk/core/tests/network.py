"""Hosts for the multi-host test: Linux network namespaces on one bridge, made and removed by the
test itself (root only). The bridge's own address stands for the outside world: the mail server
and the webhook receiver the desk talks to."""

from __future__ import annotations

import os
import random
import subprocess


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


class Network:
    def __init__(self, hosts: list[str]) -> None:
        tag = f"{os.getpid() % 10000}{random.randint(0, 9)}"
        self.prefix = f"10.213.{random.randint(1, 250)}"
        self.bridge = f"sdbr{tag}"
        self.outside = f"{self.prefix}.1"
        self.names = {host: f"sd{tag}-{host}" for host in hosts}
        self.addresses = {host: f"{self.prefix}.{index + 2}" for index, host in enumerate(hosts)}
        self._links: list[str] = []

    def __enter__(self) -> Network:
        try:
            self._build()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _build(self) -> None:
        _ip("link", "add", self.bridge, "type", "bridge")
        _ip("link", "set", self.bridge, "up")
        _ip("addr", "add", f"{self.outside}/24", "dev", self.bridge)
        for index, (host, namespace) in enumerate(self.names.items()):
            outer, inner = f"{self.bridge}v{index}", f"{self.bridge}p{index}"
            _ip("netns", "add", namespace)
            _ip("link", "add", outer, "type", "veth", "peer", "name", inner)
            self._links.append(outer)
            _ip("link", "set", inner, "netns", namespace)
            _ip("link", "set", outer, "master", self.bridge)
            _ip("link", "set", outer, "up")
            inside = ["netns", "exec", namespace, "ip"]
            _ip(*inside, "addr", "add", f"{self.addresses[host]}/24", "dev", inner)
            _ip(*inside, "link", "set", inner, "up")
            _ip(*inside, "link", "set", "lo", "up")

    def __exit__(self, *exc: object) -> None:
        for namespace in self.names.values():
            subprocess.run(["ip", "netns", "del", namespace], capture_output=True)
        for link in self._links:
            subprocess.run(["ip", "link", "del", link], capture_output=True)
        subprocess.run(["ip", "link", "del", self.bridge], capture_output=True)
