# Sourced by the scripts: finds a JDK 21+ (JAVA_HOME if it is one, else Temurin 25 where this project's
# machines have it, else the java on PATH) and exports JAVA_HOME and PATH for it and Maven.
meshshop_java_major() {
    "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}' | cut -d. -f1
}

for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 \
                 "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")"; do
    if [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ "$(meshshop_java_major "$candidate")" -ge 21 ] 2>/dev/null; then
        export JAVA_HOME="$candidate"
        export PATH="$JAVA_HOME/bin:$PATH"
        break
    fi
done

if [ -z "${JAVA_HOME:-}" ] || [ "$(meshshop_java_major "$JAVA_HOME")" -lt 21 ] 2>/dev/null; then
    echo "meshshop needs a JDK 21 or newer: set JAVA_HOME to one." >&2
    exit 1
fi
