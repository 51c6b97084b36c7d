#!/usr/bin/env bash
# Make sure the system packages solieu needs are present; install them through apt when we may.
# Idempotent and quick when everything is there. Usage: ensure_sysdeps.sh [run|test]
set -euo pipefail
purpose="${1:-run}"

need=()
# Debian's python3 has no ensurepip until python3-venv is installed; solieu needs Python 3.11+.
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "solieu needs Python 3.11 or newer as python3 (found: $(python3 --version 2>&1))" >&2
  exit 1
fi
python3 -c 'import ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
command -v tesseract >/dev/null 2>&1 || need+=(tesseract-ocr)
if ! tesseract --list-langs 2>/dev/null | grep -qx vie; then need+=(tesseract-ocr-vie); fi
# figures re-read in scanned tables use the eng model with a digit whitelist (pipeline/tables/scan.py)
if ! tesseract --list-langs 2>/dev/null | grep -qx eng; then need+=(tesseract-ocr-eng); fi
# make setup compiles the PDF reader's per-character loop (pipeline/native/pdfchars.c; no headers needed)
command -v cc >/dev/null 2>&1 || need+=(gcc)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf ] || need+=(fonts-dejavu-core)
# Legacy office files (.doc, .rtf, .odt, Word's HTML, .xls, .ods) are converted by LibreOffice headless.
if ! command -v soffice >/dev/null 2>&1; then need+=(libreoffice-writer-nogui libreoffice-calc-nogui)
elif [ ! -e /usr/lib/libreoffice/program/libsclo.so ]; then need+=(libreoffice-calc-nogui); fi
if [ "$purpose" = test ]; then
  # The test suite runs a real PostgreSQL server on a private socket.
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
  # The browser tests drive Debian's headless Chromium through Playwright (which cannot download one here).
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
fi

[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo="sudo"
else
  echo "solieu needs system packages: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "Installing system packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
