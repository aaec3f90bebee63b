#!/bin/sh
# Compiles the native-counter demo's JNI library during the Maven build (exec-maven-plugin, process-classes).
# Usage: build-native.sh JAVA_HOME HEADER_DIR OUTPUT_FILE SOURCE...
# Fails, saying why, when gcc is missing: the demo jar is never built without its library.
set -eu
java_home="$1"; headers="$2"; output="$3"; shift 3
if ! command -v gcc >/dev/null 2>&1; then
  echo "native-counter: gcc is not on PATH; it is needed to build libnativecounter.so (install gcc, e.g. apt-get install gcc)" >&2
  exit 1
fi
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64|Linux-amd64) ;;
  *) echo "native-counter: the demo library is built for linux-x86_64 only, this is $(uname -s)-$(uname -m)" >&2
     exit 1 ;;
esac
mkdir -p "$(dirname "$output")"
exec gcc -shared -fPIC -O2 -Wall -Wextra -Werror -I"$java_home/include" -I"$java_home/include/linux" -I"$headers" \
  -o "$output" "$@"
