#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter: python3.10 on PATH, else pyenv's.
set -u
for candidate in python3.10 "$(command -v pyenv >/dev/null 2>&1 && pyenv root 2>/dev/null)/versions/"3.10.*/bin/python "$HOME/.pyenv/versions/"3.10.*/bin/python; do
  [ -n "$candidate" ] || continue
  if out=$("$candidate" -c 'import sys; print(sys.executable if sys.version_info[:2] == (3, 10) else "")' 2>/dev/null) && [ -n "$out" ]; then
    echo "$out"
    exit 0
  fi
done
echo "Python 3.10 est introuvable (Rasa 3.6 demande Python 3.8 à 3.10)." >&2
echo "Installez-le, par exemple : 'pyenv install 3.10' ou le paquet python3.10 de votre système, puis relancez." >&2
exit 1
