#!/bin/sh
# Print an interpreter for NAME that actually runs: NAME itself when it does; for a pythonX.Y name that does not
# (a pyenv shim of a version that is installed but not selected), pyenv's own build of X.Y, then /usr/bin and
# /usr/local/bin. Prints NAME unchanged when nothing runs, so the caller's check can say so.
name="$1"
if "$name" -c '' >/dev/null 2>&1; then echo "$name"; exit 0; fi
case "$name" in
    python3.[0-9]*)
        version="${name#python}"
        root="$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")"
        for candidate in $(ls -d "$root"/versions/"$version".*/bin/"$name" 2>/dev/null | sort -V -r) \
                         /usr/bin/"$name" /usr/local/bin/"$name"; do
            if "$candidate" -c '' >/dev/null 2>&1; then echo "$candidate"; exit 0; fi
        done;;
esac
echo "$name"
