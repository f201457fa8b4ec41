#!/usr/bin/python3
"""The peer for the fixture benchmark: python3-volatildap (Debian 12), which starts a slapd per
test suite and resets its contents between tests. Prints one JSON line of medians in ms:
`start` (a new server with N users until it accepts connections) and `reset` (its contents put
back to the N users, volatildap's reuse between tests). Usage: volatildap_peer.py REPS USERS"""
import json
import statistics
import sys
import time

import volatildap


def users(count):
    return {
        "cn=user%d" % i: {"objectClass": [b"person"], "cn": [b"user%d" % i], "sn": [b"bench"]}
        for i in range(count)
    }


def main():
    reps, count = int(sys.argv[1]), int(sys.argv[2])
    starts, resets = [], []
    for _ in range(reps):
        began = time.perf_counter()
        server = volatildap.LdapServer(initial_data=users(count), rootpw="bench-only")
        server.start()
        starts.append(1000 * (time.perf_counter() - began))
        began = time.perf_counter()
        server.reset()
        resets.append(1000 * (time.perf_counter() - began))
        server.stop()
    print(json.dumps({"users": count, "reps": reps, "start": statistics.median(starts),
                      "reset": statistics.median(resets)}))


if __name__ == "__main__":
    main()
