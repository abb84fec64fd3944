# Sourced by ./pcmsim and ./run-tests: exports JAVA_HOME and PATH for a JDK 25, or exits with one line.
pcm_java_major() {
	"$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'
}

pcm_find_java25() {
	local candidate major
	for candidate in "${JAVA_HOME:+$JAVA_HOME/bin/java}" /usr/lib/jvm/temurin-25-jdk-amd64/bin/java \
			/usr/lib/jvm/*25*/bin/java "$(command -v java 2>/dev/null)"; do
		[ -n "$candidate" ] && [ -x "$candidate" ] || continue
		major=$(pcm_java_major "$candidate")
		if [ -n "$major" ] && [ "$major" -ge 25 ] 2>/dev/null; then
			JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$candidate")")")
			export JAVA_HOME
			export PATH="$JAVA_HOME/bin:$PATH"
			return 0
		fi
	done
	found=$(command -v java 2>/dev/null)
	echo "pcm-dmabuf needs Java 25; found ${found:-no java}${found:+ (Java $(pcm_java_major "$found"))}. Install a JDK 25 and set JAVA_HOME to it." >&2
	exit 2
}
