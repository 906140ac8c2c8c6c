#!/bin/sh
# Makes sure the Debian packages p3 needs to build, run and test are present.
# As root it installs what is missing; otherwise it prints the exact apt-get
# line and fails, so the README's two commands are all the set-up there is.
#
#   tools/deps.sh          build, run and test dependencies
#   tools/deps.sh --bench  also what `make bench` compares against
#   tools/deps.sh --fuzz   also what `make fuzz` builds with
set -eu

# gcc, make, libc6-dev: the compiler; pkg-config: finds the libraries below;
# libsqlite3-dev: the store; libxlsxwriter-dev: workbooks; libcairo2-dev: charts;
# libpango1.0-dev: lays out the text of charts and reports in any script;
# zlib1g-dev: deflate for the PNG charts, and gzip;
# check: the unit tests; fonts-dejavu-core: the charts' font (Latin, Greek,
# Cyrillic, Arabic, Hebrew); fonts-wqy-microhei: the fallback font for
# Chinese, Japanese kana and kanji, and Korean Hangul (all 11,172 syllables)
# in one 5 MB file, where fonts-noto-cjk takes 90 MB and
# fonts-droid-fallback lacks Hangul; sqlite3: the
# store's shell, used by tests and the benchmark; poppler-utils: pdftotext and
# pdftoppm, used by tests to read back the PDFs p3 writes; python3-openpyxl:
# an independent reader the tests check the workbooks p3 writes with;
# libxml2-dev: the streaming reader of JMeter's XML result files;
# nettle-dev: base64 for HdrHistogram logs; fio: a
# real load tool whose logs the tests check p3 against; groff-base: the
# install test renders the manual page p3(1) with it.
pkgs="gcc make libc6-dev pkg-config libsqlite3-dev libxlsxwriter-dev libcairo2-dev libpango1.0-dev zlib1g-dev libxml2-dev nettle-dev check fonts-dejavu-core fonts-wqy-microhei sqlite3 poppler-utils python3-openpyxl fio groff-base"
if [ "${1:-}" = "--bench" ]; then
    # python3-matplotlib: the chart-drawing baseline of `make bench`;
    # python3-pandas: the JTL analysis baseline; python3-xlsxwriter: the
    # lab benchmark's reference workbook.
    pkgs="$pkgs python3 python3-matplotlib python3-pandas python3-xlsxwriter"
fi
if [ "${1:-}" = "--fuzz" ]; then
    # clang: the fuzz targets' compiler; libclang-rt-dev: libFuzzer and the
    # sanitizers' runtimes for it; llvm: llvm-symbolizer, for readable
    # stack traces of what the targets find.
    pkgs="$pkgs clang libclang-rt-dev llvm"
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
    # Not Debian: say what is needed and let pkg-config decide.
    if pkg-config --exists sqlite3 xlsxwriter cairo pangocairo zlib libxml-2.0 nettle check 2>/dev/null; then exit 0; fi
    echo "p3: this is not a Debian system; install the equivalents of: $pkgs" >&2
    exit 1
fi

missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "p3: installing missing Debian packages:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2086 # word splitting of the package list is wanted
    if ! apt-get install -y --no-install-recommends $missing; then
        # A fresh machine often has no package lists yet.
        apt-get update
        # shellcheck disable=SC2086
        apt-get install -y --no-install-recommends $missing
    fi
    exit 0
fi

echo "p3: missing Debian packages:$missing" >&2
echo "p3: install them with:" >&2
echo "    sudo apt-get install -y --no-install-recommends$missing" >&2
exit 1
