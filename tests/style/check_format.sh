#!/bin/sh
# Every C++ file of the tree is formatted as .clang-format says (./dev format fixes it).
# Exit 77 (skipped) where clang-format or git is missing, e.g. a build from a source tarball.
set -eu
cd "$1"
command -v clang-format >/dev/null 2>&1 || { echo "clang-format not installed: skipped"; exit 77; }
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || { echo "not a git checkout: skipped"; exit 77; }
files=$(git ls-files '*.cpp' '*.hpp')
bad=""
for f in $files; do
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then bad="$bad $f"; fi
done
if [ -n "$bad" ]; then
  echo "not formatted (run ./dev format):"
  for f in $bad; do echo "  $f"; done
  exit 1
fi
echo "$(echo "$files" | wc -l) files formatted"
