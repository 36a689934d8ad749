#!/bin/bash -eu
# Builds every cargo-fuzz target for ClusterFuzzLite and OSS-Fuzz and puts in $OUT what they
# look for: the binary <target>, its libFuzzer dictionary <target>.dict and, when the target has
# a committed corpus, <target>_seed_corpus.zip.
#
# The checkout is $SRC/remediation-suite (the Dockerfile copies it there; an OSS-Fuzz project
# Dockerfile clones it there). `cargo fuzz build -O` is called exactly so: OSS-Fuzz's cargo
# wrapper recognises `cargo fuzz` and turns it into an instrumented debug build for coverage
# reports, still leaving the binaries where this script copies them from.
#
# SANITIZER is set by OSS-Fuzz and ClusterFuzzLite (address, or coverage); cargo-fuzz then
# builds with its default, AddressSanitizer, on the image's nightly toolchain. Outside them
# (scripts/ci/check-clusterfuzzlite.sh, or a developer) SANITIZER=none builds without a
# sanitizer, which works on the stable toolchain like `cargo xtask fuzz`.

cd "$SRC/remediation-suite"

build_flags=(-O)
if [[ ${SANITIZER:-address} == none ]]; then
  build_flags+=(--sanitizer none)
fi
cargo fuzz build "${build_flags[@]}"

# cargo-fuzz always builds for an explicit --target (the host), so the binaries are under the
# triple; the fuzz crate is its own workspace, so its target dir is fuzz/target.
triple=$(rustc -vV | sed -n 's/^host: //p')
bin_dir="${CARGO_TARGET_DIR:-fuzz/target}/$triple/release"

shopt -s nullglob
sources=(fuzz/fuzz_targets/*.rs)
if ((${#sources[@]} == 0)); then
  echo "build.sh: no fuzz target in fuzz/fuzz_targets/" >&2
  exit 1
fi
for source in "${sources[@]}"; do
  target=$(basename "$source" .rs)
  cp "$bin_dir/$target" "$OUT/$target"
  if [[ -f fuzz/dictionaries/$target.dict ]]; then
    cp "fuzz/dictionaries/$target.dict" "$OUT/$target.dict"
  fi
  corpus=fuzz/corpus/$target
  if [[ -d $corpus ]] && [[ -n $(ls -A "$corpus") ]]; then
    rm -f "$OUT/${target}_seed_corpus.zip"
    # -j: flat file names, as libFuzzer reads a seed corpus as one directory.
    (cd "$corpus" && zip -q -j "$OUT/${target}_seed_corpus.zip" ./*)
  fi
  echo "build.sh: $target -> $OUT/$target"
done
