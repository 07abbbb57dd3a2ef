#!/bin/bash
# The image's entrypoint: runs the adahit CLI (`serve` by default) with engine threads fitted to
# the container's CPU limit, and records the HTTP port the server will listen on for the
# HEALTHCHECK (docker/healthcheck.sh). The jar is ADAHIT_JAR: the server image sets
# /app/adahit-server.jar (serve, events-migrate), the eval image /app/adahit-cli.jar (every command,
# also the default when ADAHIT_JAR is unset).
#
# Threads: ADAHIT_THREADS when set, else the CPU limit of the container (cgroup v2 cpu.max or v1
# cfs quota, rounded up), else the CPUs this process may run on (nproc). PyTorch's intra-op
# threads (ai.djl.pytorch.num_threads) and OpenMP's (OMP_NUM_THREADS) both get this number;
# without it PyTorch starts one thread per host core whatever the limit, and a 2-CPU pod on a
# 64-core node would run 64 threads that the CFS quota throttles.
set -euo pipefail

# ADAHIT_CGROUP_DIR: where the cgroup files are read (tests point it at a fake tree)
cgroup="${ADAHIT_CGROUP_DIR:-/sys/fs/cgroup}"
cpu_limit() {
  local quota period
  if [[ -r "$cgroup/cpu.max" ]]; then
    read -r quota period < "$cgroup/cpu.max"
  elif [[ -r "$cgroup/cpu/cpu.cfs_quota_us" && -r "$cgroup/cpu/cpu.cfs_period_us" ]]; then
    quota=$(cat "$cgroup/cpu/cpu.cfs_quota_us") period=$(cat "$cgroup/cpu/cpu.cfs_period_us")
  fi
  if [[ -n "${quota:-}" && "$quota" != max && "$quota" -gt 0 && "${period:-0}" -gt 0 ]]; then
    echo $(( (quota + period - 1) / period ))
  fi
}

threads="${ADAHIT_THREADS:-}"
if [[ -z "$threads" ]]; then
  threads="$(cpu_limit)"
  threads="${threads:-$(nproc)}"
fi
if ! [[ "$threads" =~ ^[1-9][0-9]*$ ]]; then
  echo "adahit: ADAHIT_THREADS must be a whole number >= 1, found '$threads'" >&2
  exit 2
fi
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$threads}"

jar="${ADAHIT_JAR:-/app/adahit-cli.jar}"
java_args=(-Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$threads" -Dai.djl.pytorch.num_interop_threads=1)
# JAVA_OPTS: extra JVM flags (e.g. -Xmx); the image's JAVA_TOOL_OPTIONS keep the heap at a share of the memory limit
# shellcheck disable=SC2206
java_args+=(${JAVA_OPTS:-})

if [[ $# -eq 0 ]]; then
  set -- serve
fi
if [[ "$1" == serve ]]; then
  rm -f /tmp/adahit-http-port
  # The effective http.port (image config, --config file, flags) for healthcheck.sh
  if port=$(java "${java_args[@]}" -jar "$jar" "$@" --print-config 2>/dev/null \
      | awk '/^http:/ {h = 1; next} /^[^ ]/ {h = 0} h && $1 == "port:" {print $2; exit}'); then
    echo "${port:-35496}" > /tmp/adahit-http-port
  fi
  echo "adahit: ${threads} engine threads (OMP_NUM_THREADS=${OMP_NUM_THREADS}), HTTP port $(cat /tmp/adahit-http-port 2>/dev/null || echo '?')" >&2
fi
exec java "${java_args[@]}" -jar "$jar" "$@"
