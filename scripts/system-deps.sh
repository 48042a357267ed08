#!/usr/bin/env bash
# Install the Debian packages yibao needs, only those missing.
#   run:  fonts for Chinese PDFs (fonts-noto-cjk) and the text layout libraries WeasyPrint uses
#   test: the above, Debian's Chromium for the browser tests, and pdftoppm to render PDFs
set -euo pipefail
mode=${1:-run}
pkgs=(fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
if [ "$mode" = test ]; then
  pkgs+=(chromium poppler-utils)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
# Without the right to install: `make run` warns and goes on (only PDF fonts and layout suffer);
# `make test` stops, since the browser and PDF tests need these packages.
cannot() {
  if [ "$mode" = test ]; then
    echo "需要以下系统软件包，请安装后重试：${missing[*]}（$1）" >&2
    exit 1
  fi
  echo "提示：缺少系统软件包 ${missing[*]}（$1）；网页照常运行，但 PDF 表格可能缺少中文字体。" >&2
  exit 0
}
command -v apt-get >/dev/null || cannot "没有 apt-get，请手动安装"
sudo=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
    cannot "需 root 权限安装"
  fi
fi
echo "安装系统软件包：${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
