#!/usr/bin/env bash
# Builds the Debian package from this build folder and checks what a desktop needs of it: the
# programs, the icon at every size, the MIME type of workspaces, the desktop entry and
# AppStream data that validate, the copyright, the examples without developer scripts, and
# the run-time dependency on Qt's platform plugins.
set -euo pipefail
build=$1
version=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work" > "$work/cpack.log" 2>&1 || fail "cpack: $(cat "$work/cpack.log")"
deb=$(ls "$work"/amalgam_"$version"_*.deb) || fail "no amalgam_${version}_*.deb in $(ls "$work")"
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' > "$work/files"
for f in /usr/bin/amalgam /usr/bin/amalgam-cli \
         /usr/share/applications/io.amalgam.amalgam.desktop \
         /usr/share/metainfo/io.amalgam.amalgam.metainfo.xml \
         /usr/share/mime/packages/io.amalgam.amalgam.xml \
         /usr/share/icons/hicolor/scalable/apps/io.amalgam.amalgam.svg \
         /usr/share/doc/amalgam/copyright \
         /usr/share/amalgam/recipes/demo.yaml \
         /usr/share/amalgam/examples/winogrande.jsonl; do
  grep -qx "$f" "$work/files" || fail "$f is not in the package"
done
for size in 16 32 48 64 128 256; do
  grep -qx "/usr/share/icons/hicolor/${size}x${size}/apps/io.amalgam.amalgam.png" "$work/files" || fail "no ${size}px icon"
done
! grep -q '\.py$' "$work/files" || fail "developer scripts in the package: $(grep '\.py$' "$work/files")"

depends=$(dpkg-deb -f "$deb" Depends)
for dep in qt6-qpa-plugins libqt6widgets6 libtorch libcurl4; do
  echo "$depends" | grep -q "$dep" || fail "Depends lacks $dep: $depends"
done

dpkg-deb -x "$deb" "$work/root"
if command -v appstreamcli > /dev/null; then
  appstreamcli validate --no-net --pedantic "$work/root/usr/share/metainfo/io.amalgam.amalgam.metainfo.xml" > "$work/as.log" 2>&1 ||
    fail "AppStream: $(cat "$work/as.log")"
fi
if command -v desktop-file-validate > /dev/null; then
  out=$(desktop-file-validate "$work/root/usr/share/applications/io.amalgam.amalgam.desktop" 2>&1) && [ -z "$out" ] || fail "desktop entry: $out"
fi
grep -q 'glob pattern="\*.amalgam"' "$work/root/usr/share/mime/packages/io.amalgam.amalgam.xml" || fail "MIME glob"
grep -q '^MimeType=application/x-amalgam-workspace;$' "$work/root/usr/share/applications/io.amalgam.amalgam.desktop" || fail "desktop MimeType"
"$work/root/usr/bin/amalgam-cli" --version | grep -qx "amalgam-cli $version" || fail "the packaged amalgam-cli does not run"
echo "package $(basename "$deb"): ok"
