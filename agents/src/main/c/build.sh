#!/usr/bin/env bash
# Builds the CPU tuning library (cpu_tuning.c, preloaded into JVMs that run PyTorch) into OUT (a .so path) with the system C
# compiler, unless OUT is already newer than the source. Used by the agents module's build and by
# bin/adahit; needs a C compiler (Debian: apt-get install gcc).
set -euo pipefail
src="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/cpu_tuning.c"
out="${1:?usage: build.sh OUT.so}"
if [[ -f "$out" && "$out" -nt "$src" ]]; then
  exit 0
fi
cc="${CC:-cc}"
if ! command -v "$cc" >/dev/null; then
  echo "build.sh: no C compiler ('$cc') to build $out, the CPU tuning library that lets" \
       "PyTorch use MKL's fast GEMM kernels; install one (Debian: apt-get install gcc)" >&2
  exit 1
fi
mkdir -p "$(dirname "$out")"
"$cc" -O2 -shared -fPIC -Wall -Werror -o "$out.tmp" "$src"
mv -f "$out.tmp" "$out"
