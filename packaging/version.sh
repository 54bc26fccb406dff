# Sourced by dist.sh and test-dist.sh: the version of this checkout, in the
# forms each package format wants, and SOURCE_DATE_EPOCH from the commit.
#
#   VERSION      git describe (v1.2.3, v1.2.3-4-gabcdef0, or abcdef0 before
#                the first tag; -dirty for uncommitted changes), stamped
#                into the binaries
#   DEB_VERSION  1.2.3, 1.2.3+4.gabcdef0, 0~git20261129.abcdef0
#   WIN_VERSION  1.2.3.N (N: commits since the tag); 0.0.N.0 before the
#                first tag, N the number of commits, so that each build
#                upgrades the last (an MSI version has at most 3 parts that
#                count, each at most 255.255.65535)
VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
export VERSION SOURCE_DATE_EPOCH

if [[ -z ${DEB_VERSION:-} || -z ${WIN_VERSION:-} ]]; then
	# Not given (make test-dist gives those of the build it checks).
	if [[ $VERSION =~ ^v?([0-9]+)\.([0-9]+)\.([0-9]+)(-([0-9]+)-g([0-9a-f]+))?(-dirty)?$ ]]; then
		m=("${BASH_REMATCH[@]}")
		DEB_VERSION="${m[1]}.${m[2]}.${m[3]}"
		if [[ -n ${m[5]} ]]; then DEB_VERSION+="+${m[5]}.g${m[6]}"; fi
		WIN_VERSION="${m[1]}.${m[2]}.${m[3]}.${m[5]:-0}"
	else
		DEB_VERSION="0~git$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y%m%d).${VERSION%-dirty}"
		WIN_VERSION="0.0.$(git rev-list --count HEAD 2>/dev/null || echo 0).0"
	fi
	if [[ $VERSION == *-dirty ]]; then DEB_VERSION+="~dirty"; fi
fi
export DEB_VERSION WIN_VERSION
