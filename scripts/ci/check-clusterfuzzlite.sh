#!/usr/bin/env bash
# Runs .clusterfuzzlite/build.sh the way OSS-Fuzz does, without Docker: $SRC and $OUT are fresh
# temporary directories, $SRC/remediation-suite is this checkout, and the script runs from there.
# Then checks that $OUT holds, for every fuzz/fuzz_targets/*.rs, an executable of that name (and
# the dictionary and seed corpus zip when the repository has them), and nothing claims a target
# that does not exist.
#
# SANITIZER=none: no AddressSanitizer, so the stable toolchain builds it (the image uses nightly
# with ASan). cargo-fuzz is installed under target/tools when cargo has none.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"

if ! cargo fuzz --version >/dev/null 2>&1; then
  if [[ ! -x target/tools/bin/cargo-fuzz ]]; then
    cargo install cargo-fuzz --locked --root target/tools
  fi
  PATH="$repo/target/tools/bin:$PATH"
  export PATH
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/check-clusterfuzzlite.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src" "$work/out"
ln -s "$repo" "$work/src/remediation-suite"
cp .clusterfuzzlite/build.sh "$work/src/build.sh"

started=$SECONDS
(cd "$work/src/remediation-suite" && SRC="$work/src" OUT="$work/out" SANITIZER=none bash -eu "$work/src/build.sh")
echo "check-clusterfuzzlite: build.sh took $((SECONDS - started)) s"

failures=0
fail() {
  echo "check-clusterfuzzlite: $*" >&2
  failures=$((failures + 1))
}

shopt -s nullglob
sources=(fuzz/fuzz_targets/*.rs)
((${#sources[@]} > 0)) || fail "no fuzz target in fuzz/fuzz_targets/"
for source in "${sources[@]}"; do
  target=$(basename "$source" .rs)
  binary="$work/out/$target"
  if [[ ! -f $binary || ! -x $binary ]]; then
    fail "$target: no executable \$OUT/$target"
    continue
  fi
  # A libFuzzer binary answers -help=1 and exits 0; a copied non-fuzzer would not.
  if ! "$binary" -help=1 >/dev/null 2>&1; then
    fail "$target: \$OUT/$target does not run as a libFuzzer binary (-help=1)"
  fi
  if [[ -f fuzz/dictionaries/$target.dict ]] && ! cmp -s "fuzz/dictionaries/$target.dict" "$work/out/$target.dict"; then
    fail "$target: \$OUT/$target.dict is missing or differs from fuzz/dictionaries/$target.dict"
  fi
  corpus=(fuzz/corpus/"$target"/*)
  if ((${#corpus[@]} > 0)); then
    zip="$work/out/${target}_seed_corpus.zip"
    if [[ ! -f $zip ]]; then
      fail "$target: no \$OUT/${target}_seed_corpus.zip for its ${#corpus[@]} corpus file(s)"
    else
      entries=$(unzip -Z1 "$zip" | wc -l)
      ((entries == ${#corpus[@]})) || fail "$target: seed corpus zip has $entries entries, fuzz/corpus/$target has ${#corpus[@]}"
    fi
  fi
done

# Every executable in $OUT must be a known target: a stale or misnamed binary would be fuzzed too.
for file in "$work/out"/*; do
  name=$(basename "$file")
  [[ -x $file && -f $file ]] || continue
  [[ -f fuzz/fuzz_targets/$name.rs ]] || fail "\$OUT/$name is an executable but not a fuzz target"
done

if ((failures > 0)); then
  echo "check-clusterfuzzlite: $failures problem(s)" >&2
  exit 1
fi
echo "check-clusterfuzzlite: ${#sources[@]} fuzz targets built into \$OUT with their dictionaries and seed corpora"
