#!/usr/bin/env bash
# netns-run.sh HOST... -- COMMAND...   run COMMAND where every HOST resolves to 127.0.0.1, and nothing else changes
# netns-run.sh --check                 exit 0 if this machine can, else 77 with the reason on stderr
#
# COMMAND runs in a new network namespace (only a loopback interface: no network at all), a new PID namespace (every
# process of the run, a detached server included, ends when COMMAND ends) and a new mount namespace in which
# /etc/hosts is a private copy with the HOST lines added (a bind mount, private: it never propagates out). The
# namespaces go with the run; the copy lives in a temporary directory removed afterwards. The machine's own
# /etc/hosts, resolver configuration and network are never touched. So a server of the run can listen on
# 127.0.0.1:443 under a real-shaped name such as idcs-<32 hex>.identity.oraclecloud.com.
# Root uses `unshare --mount --net --pid`; another user adds --user --map-root-user, where the kernel allows user
# namespaces. Needs util-linux unshare and iproute2 ip. Inside, OCI_AWS_NETNS_HOSTS lists the HOSTs.
set -euo pipefail

unshare_flags() {
    if [ "$(id -u)" = 0 ]; then
        echo "--mount --net --pid --mount-proc --fork --kill-child"
    else
        echo "--user --map-root-user --mount --net --pid --mount-proc --fork --kill-child"
    fi
}

check() {
    local why
    command -v unshare >/dev/null || { echo "netns-run.sh: no unshare (util-linux) on PATH" >&2; return 77; }
    command -v ip >/dev/null || { echo "netns-run.sh: no ip (iproute2) on PATH" >&2; return 77; }
    # shellcheck disable=SC2046
    if ! why=$(unshare $(unshare_flags) sh -c 'ip link set lo up && mount --bind /etc/hosts /etc/hosts' 2>&1); then
        echo "netns-run.sh: cannot make a private network and mount namespace as $(id -un) (unshare" \
            "$(unshare_flags)): ${why:-no reason given}" >&2
        return 77
    fi
}

if [ "${1:-}" = --check ]; then
    check
    exit
fi

if [ "${1:-}" = --inside ]; then
    # Second stage, inside the new namespaces: loopback up, the private hosts file over /etc/hosts, then COMMAND.
    hosts=$2
    shift 3
    ip link set lo up
    mount --bind "$hosts" /etc/hosts
    mount -o remount,bind,ro /etc/hosts 2>/dev/null || true
    # No proxy is reachable from here (no network): the names are asked directly, whatever the caller's proxy settings.
    no_proxy=${no_proxy:+$no_proxy,}${OCI_AWS_NETNS_HOSTS// /,}
    NO_PROXY=${NO_PROXY:+$NO_PROXY,}${OCI_AWS_NETNS_HOSTS// /,}
    export no_proxy NO_PROXY
    exec "$@"
fi

names=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
    case $1 in
        *[!A-Za-z0-9.-]* | "" | -*) echo "netns-run.sh: not a host name: '$1'" >&2; exit 2 ;;
    esac
    names+=("$1")
    shift
done
[ "${1:-}" = -- ] && [ $# -gt 1 ] && [ ${#names[@]} -gt 0 ] || {
    echo "usage: netns-run.sh HOST... -- COMMAND..." >&2
    exit 2
}
shift
check || exit

tmp=$(mktemp -d "${TMPDIR:-/tmp}/oci_aws-netns.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
{ cat /etc/hosts; echo; echo "# netns-run.sh: this run's names, in its own mount namespace only"
  for name in "${names[@]}"; do echo "127.0.0.1 $name"; done; } >"$tmp/hosts"
chmod 644 "$tmp/hosts"
chmod 755 "$tmp"
rc=0
# shellcheck disable=SC2046
OCI_AWS_NETNS_HOSTS="${names[*]}" unshare $(unshare_flags) bash "$0" --inside "$tmp/hosts" -- "$@" || rc=$?
exit $rc
