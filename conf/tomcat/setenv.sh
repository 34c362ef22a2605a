# Atlas: JVM options for Tomcat. Install as $CATALINA_BASE/bin/setenv.sh (catalina.sh sources it on every
# start; it need not be executable). Only JVM options live here: Atlas's own settings (ATLAS_*, including
# the PostgreSQL URL and password) come from the environment, i.e. /etc/atlas/atlas.env under systemd
# (conf/systemd/atlas-tomcat.service), or from $CATALINA_BASE/conf/atlas.properties. See docs/deploy.md.

# Heap. Fixed size (Xms = Xmx): the heap never resizes under load. 1 GiB is a starting point, not a
# measurement: watch the heap under your real load. Slow clients cost the most (each may queue up to
# ATLAS_WS_QUEUE_MAX_BYTES before it is closed). Override per host with TOMCAT_HEAP=2g in the environment.
TOMCAT_HEAP="${TOMCAT_HEAP:-1g}"

CATALINA_OPTS="$CATALINA_OPTS -Xms${TOMCAT_HEAP} -Xmx${TOMCAT_HEAP}"

# GC: G1 (the JDK 17 default, spelled out) with a pause goal short against the 25 s Socket.IO heartbeat.
CATALINA_OPTS="$CATALINA_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=200"
# Tenuring: an object that survives two young collections moves to the old generation. With a fixed heap of a GiB or
# two, G1 grows the young generation to ~60 % of it, and its default lets a long-lived object (H2's page cache, a
# WebSocket session's buffers; ~25 MB) stay young for up to 15 collections, copied at every young pause: 27-47 ms
# pauses under the REST mix with 2 GiB. Promoted after two, they are copied twice; the pauses fell to 6-12 ms, the
# old generation did not grow (docs/benchmarks.md, twenty-fifth session).
CATALINA_OPTS="$CATALINA_OPTS -XX:MaxTenuringThreshold=2"

# Fail fast: on OutOfMemoryError write a heap dump and exit; systemd (Restart=on-failure) starts a fresh JVM
# and clients reconnect, instead of a half-dead JVM holding their sockets.
CATALINA_OPTS="$CATALINA_OPTS -XX:+HeapDumpOnOutOfMemoryError -XX:HeapDumpPath=${CATALINA_BASE:-.}/logs"
CATALINA_OPTS="$CATALINA_OPTS -XX:+ExitOnOutOfMemoryError"

# WebSocket buffers: Tomcat gives every WebSocket session three buffers of this size (frame input, output, and
# the UTF-8 encoding of an outgoing message), 8 KiB each by default. Atlas reads client messages in parts and sends
# envelopes of a few hundred bytes, so 1 KiB holds a typical message in one frame (a longer one goes out as several
# frames, each its own write: raise it, e.g. to 4096, when tasks carry long descriptions) and an idle connection
# costs ~15 KiB of heap instead of ~36 (docs/benchmarks.md). The embedded launcher sets the same.
CATALINA_OPTS="$CATALINA_OPTS -Dorg.apache.tomcat.websocket.DEFAULT_BUFFER_SIZE=1024"

# UTC and UTF-8 regardless of the host's locale (event timestamps are UTC anyway).
CATALINA_OPTS="$CATALINA_OPTS -Duser.timezone=UTC -Dfile.encoding=UTF-8"

# Request threads: virtual threads instead of Tomcat's pool (the connector's useVirtualThreads in server.xml reads
# -Datlas.virtualThreads). On the pool every request is handed from the poller to a pooled thread and every write
# waiting for its group commit parks that thread: futex calls and context switches, ~a fifth of a request's CPU on two
# cores. Virtual threads park and resume on a few carrier threads without them (docs/benchmarks.md, eighteenth
# session: a fifth to a quarter less CPU per REST request, but a fifth more per WebSocket delivery: a node that mostly
# pushes events to many clients may prefer off). ATLAS_VIRTUAL_THREADS, as for the embedded run: auto (default) = on from Java 24,
# where a virtual thread waiting inside synchronized code (EclipseLink, H2) no longer holds its carrier; on = from
# Java 21; off = the pool. Tomcat refuses useVirtualThreads before Java 21.
atlas_java="java"
if [ -n "${JRE_HOME:-}" ]; then atlas_java="$JRE_HOME/bin/java"; elif [ -n "${JAVA_HOME:-}" ]; then atlas_java="$JAVA_HOME/bin/java"; fi
atlas_java_feature=$("$atlas_java" -version 2>&1 | sed -n 's/.* version "\([0-9]*\).*/\1/p' | head -n 1)
atlas_java_feature="${atlas_java_feature:-0}"
case "$(printf '%s' "${ATLAS_VIRTUAL_THREADS:-auto}" | tr 'A-Z' 'a-z' | tr -d ' ')" in
  auto) if [ "$atlas_java_feature" -ge 24 ]; then atlas_virtual=true; else atlas_virtual=false; fi ;;
  off) atlas_virtual=false ;;
  on)
    if [ "$atlas_java_feature" -lt 21 ]; then
      echo "atlas: ATLAS_VIRTUAL_THREADS=on needs Java 21 or later; $atlas_java is Java $atlas_java_feature (use auto or off)" >&2
      exit 1
    fi
    atlas_virtual=true ;;
  *)
    echo "atlas: ATLAS_VIRTUAL_THREADS must be auto, on or off, got '${ATLAS_VIRTUAL_THREADS}'" >&2
    exit 1 ;;
esac
CATALINA_OPTS="$CATALINA_OPTS -Datlas.virtualThreads=$atlas_virtual"
unset atlas_java atlas_java_feature atlas_virtual

# Module access (JDK 17). Tomcat's catalina.sh already adds, for Tomcat itself:
#   --add-opens=java.base/java.lang=ALL-UNNAMED          --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
#   --add-opens=java.base/java.io=ALL-UNNAMED            --add-opens=java.base/java.util=ALL-UNNAMED
#   --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.rmi/sun.rmi.transport=ALL-UNNAMED
# which covers what Atlas's libraries need: the end-to-end test runs Atlas in a stock Tomcat with exactly
# these options. Nothing to add; if a future library logs "InaccessibleObjectException", add its package, e.g.:
# CATALINA_OPTS="$CATALINA_OPTS --add-opens=java.base/java.net=ALL-UNNAMED"

# Atlas settings in the environment, when not running under systemd (with systemd, put them in
# /etc/atlas/atlas.env instead: this file is readable by anyone who can read Tomcat's bin/). Examples:
# export ATLAS_DB_URL=jdbc:postgresql://127.0.0.1:5432/atlas     # PostgreSQL; empty = embedded H2 file
# export ATLAS_DB_USER=atlas
# export ATLAS_DB_PASSWORD=change-me
# export ATLAS_DB_POOL_SIZE=10
# export ATLAS_NODE_ID=atlas-1
# export ATLAS_DATA_DIR=/var/lib/atlas                          # H2 only
# export ATLAS_CONFIG_FILE=/etc/atlas/atlas.properties          # default: $CATALINA_BASE/conf/atlas.properties

export CATALINA_OPTS
