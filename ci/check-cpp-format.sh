#!/usr/bin/env bash
# Checks that every C++ and CUDA file of the repository is formatted as .clang-format says (CI runs this
# through `mvn -B verify`, in cllm-native's verify phase; -Dcllm.skipFormatCheck=true skips it).
#   ci/check-cpp-format.sh          check, and list the files that differ
#   ci/check-cpp-format.sh --fix    reformat them in place
# clang-format comes from the npm registry (the clang-format-node package ships the binaries), installed
# once into TOOLS_DIR (default: ~/.cache/cllm/tools), so every machine checks with the same version.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version=3.0.7  # clang-format 22.1
tools="${TOOLS_DIR:-$HOME/.cache/cllm/tools}/clang-format-node-$version"
binary="$tools/node_modules/.bin/clang-format"
if [[ ! -x "$binary" ]]; then
  command -v npm >/dev/null || { echo "check-cpp-format: npm is needed to install clang-format (Node.js 20+)" >&2; exit 2; }
  mkdir -p "$tools"
  if ! (cd "$tools" && npm install --silent --no-audit --no-fund --prefix "$tools" "clang-format-node@$version" >"$tools.log" 2>&1); then
    cat "$tools.log" >&2
    echo "check-cpp-format: installing clang-format-node@$version failed (log above)" >&2
    exit 2
  fi
fi
cd "$root"
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.h' '*.cu' '*.cuh' 2>/dev/null || find native kernels -name '*.cpp' -o -name '*.hpp' -o -name '*.h' -o -name '*.cu' -o -name '*.cuh')
if [[ "${1:-}" == "--fix" ]]; then
  "$binary" -i "${files[@]}"
  echo "check-cpp-format: formatted ${#files[@]} files"
  exit 0
fi
bad=()
for f in "${files[@]}"; do
  "$binary" --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if ((${#bad[@]} > 0)); then
  echo "check-cpp-format: ${#bad[@]} file(s) differ from .clang-format (fix: ci/check-cpp-format.sh --fix):" >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
echo "check-cpp-format: ${#files[@]} files formatted as .clang-format says ($("$binary" --version | head -1))"
