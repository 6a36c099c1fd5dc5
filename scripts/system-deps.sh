#!/usr/bin/env bash
# Installs the system packages the project needs on Debian/Ubuntu, only those missing:
#   Pango and Cyrillic fonts for WeasyPrint, gettext for the translations,
#   Debian's chromium for the browser tests (Playwright never downloads a browser).
# As root it runs apt-get; otherwise it names the packages to install.
set -euo pipefail

packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation gettext chromium poppler-utils)
if [[ "${1:-}" == "--runtime-only" ]]; then
  packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation gettext)
fi

missing=()
# Debian's Python needs its venv package to create .venv.
python3 -c "import ensurepip" 2>/dev/null || missing+=("python3-venv")
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "Install these system packages with your package manager: ${missing[*]}" >&2
  exit 1
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing system packages: ${missing[*]}"
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
