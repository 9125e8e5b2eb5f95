# Sourced by bench-files and bench-dav (ROOT set): a fresh node and a private nginx on free ports in a temporary
# folder, everything started stopped by pid and the folder removed on exit (failures included); numeric helpers;
# the 1 GiB file runs against a node and nginx; and the creation of many sub-folders through wrk.
# bench_start NAME sets TMP, URL, PASS, NODE_PID, NURL (nginx serves and accepts PUT in $TMP/nginx/www), NGINX.

install_missing() { # command debian-package
  command -v "$1" >/dev/null && return 0
  echo "installing $2 (Debian package)..." >&2
  (apt-get install -y -qq "$2" >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq "$2" >/dev/null; })
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
json() { python3 -c "import sys,json; print(json.load(sys.stdin)[\"$1\"])"; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
mib() { python3 -c "print('%.0f' % ($1/1048576))"; }
ratio() { python3 -c "print('%.3f' % ($1/$2))"; }
# a bearer token of TOKEN_LOGIN (admin unless the caller changes it) with TOKEN_PASSWORD
login() { curl -sf -d grant_type=password -d "username=$1" --data-urlencode "password=$2" "$URL/oidc/oauth2/token" | json access_token; }
token() { login "$TOKEN_LOGIN" "$TOKEN_PASSWORD"; }

NODE_PID=""; NGINX_PID=""; WRK_PID=""; TMP=""
bench_cleanup() {
  [ -n "$WRK_PID" ] && kill "$WRK_PID" 2>/dev/null || true
  if [ -n "$NODE_PID" ]; then kill "$NODE_PID" 2>/dev/null || true; wait "$NODE_PID" 2>/dev/null || true; fi
  if [ -n "$NGINX_PID" ]; then kill "$NGINX_PID" 2>/dev/null || true; wait "$NGINX_PID" 2>/dev/null || true; fi
  [ -n "$TMP" ] && rm -rf "$TMP"
}

bench_start() { # name: wrk and nginx installed when missing, then the node and nginx started, both answering
  install_missing wrk wrk
  install_missing nginx nginx
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
  local jar="$ROOT/deploy/target/deploy-0.1.0-SNAPSHOT.jar" lib="$ROOT/deploy/target/lib"
  for _ in $(seq 30); do [ -f "$jar" ] && [ -d "$lib" ] && break; echo "waiting for $jar (being built?)..." >&2; sleep 10; done
  [ -f "$jar" ] || { echo "no distribution: run ./arca build" >&2; exit 1; }
  TMP=$(mktemp -d "/tmp/arca-bench-$1.XXXXXX")
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM

  # the node: a private copy of the distribution (others may rebuild deploy/target meanwhile), fresh data dir
  mkdir -p "$TMP/dist" && mkdir -p -m 700 "$TMP/data"   # a node refuses a data dir others may read
  cp "$jar" "$TMP/dist/node.jar"; cp -r "$lib" "$TMP/dist/lib"
  local http; http=$(free_port); PASS=bench-$RANDOM$RANDOM$RANDOM; URL=http://127.0.0.1:$http
  TOKEN_LOGIN=admin; TOKEN_PASSWORD=$PASS
  echo "starting a node (data $TMP/data, $URL)..."
  (cd "$TMP/data" && ARCA_DATA_DIR="$TMP/data" ARCA_HTTP_PORT=$http ARCA_GRPC_PORT=$(free_port) ARCA_CLUSTER_PORT=0 \
    ARCA_MANAGEMENT_PORT=$(free_port) ARCA_ADMIN_PASSWORD=$PASS exec java ${ARCA_JAVA_OPTS:-} \
    --add-exports=java.base/sun.nio.ch=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED \
    --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED \
    --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED -Dchronicle.analytics.disable=true \
    -cp "$TMP/dist/node.jar:$TMP/dist/lib/*" arca.deploy.Main start) >"$TMP/node.log" 2>&1 &
  NODE_PID=$!

  # nginx: private config, pid file and temp paths; GET and PUT on a folder of its own
  local nport; nport=$(free_port); NURL=http://127.0.0.1:$nport
  mkdir -p "$TMP/nginx/www" "$TMP/nginx/body" "$TMP/nginx/tmp"
  chmod 755 "$TMP"; chmod -R 777 "$TMP/nginx"
  cat >"$TMP/nginx/nginx.conf" <<CONF
$([ "$(id -u)" = 0 ] && echo "user nobody nogroup;")
worker_processes auto;
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  client_body_temp_path $TMP/nginx/body;
  proxy_temp_path $TMP/nginx/tmp; fastcgi_temp_path $TMP/nginx/tmp; uwsgi_temp_path $TMP/nginx/tmp; scgi_temp_path $TMP/nginx/tmp;
  server {
    listen 127.0.0.1:$nport;
    root $TMP/nginx/www;
    location / { dav_methods PUT; client_max_body_size 0; client_body_buffer_size 1m; }
  }
}
CONF
  "$NGINX" -p "$TMP/nginx" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" &
  NGINX_PID=$!

  for _ in $(seq 240); do curl -sf "$URL/readyz" >/dev/null && break; sleep 0.5; done
  curl -sf "$URL/readyz" >/dev/null || { echo "the node did not become ready:"; tail -30 "$TMP/node.log"; exit 1; }
  for _ in $(seq 20); do curl -s -o /dev/null "$NURL/" && break; sleep 0.25; done
}

big_file() { # MiB label url-prefix curl-args...: RUNS uploads and downloads of a file of MiB random bytes through
  # <url-prefix>{big,up<i>} (curl-args: the credentials) and through nginx, interleaved so that drift weighs on both
  # alike; the downloaded bytes' SHA-256 is checked once. Sets BIG_UP BIG_DOWN NG_UP NG_DOWN (bytes/s), SHA_OK.
  local size=$1 label=$2 prefix=$3; shift 3
  echo "$size MiB file: writing it..."
  head -c $((size * 1048576)) /dev/urandom >"$TMP/big"
  local sum got; sum=$(sha256sum "$TMP/big" | cut -d' ' -f1)
  cp "$TMP/big" "$TMP/nginx/www/big"; chmod 644 "$TMP/nginx/www/big"
  put() { curl -sS -f -o /dev/null -w '%{speed_upload}' -T "$TMP/big" -X PUT "$@"; }
  get() { curl -sS -f -o /dev/null -w '%{speed_download}' "$@"; }
  put "$@" "${prefix}big" >/dev/null   # the file to download; also a warm-up
  got=$(curl -sS -f "$@" "${prefix}big" | sha256sum | cut -d' ' -f1)
  [ "$got" = "$sum" ] && SHA_OK="equal" || { echo "SHA-256 MISMATCH: $label gave $got, the file is $sum" >&2; SHA_OK="MISMATCH"; }
  get "$NURL/big" >/dev/null
  BIG_UP=(); NG_UP=(); BIG_DOWN=(); NG_DOWN=()
  for i in $(seq "$RUNS"); do
    BIG_UP+=("$(put "$@" "${prefix}up$i")"); NG_UP+=("$(put "$NURL/up$i")")
    rm -f "$TMP/nginx/www/up$i"
    BIG_DOWN+=("$(get "$@" "${prefix}big")"); NG_DOWN+=("$(get "$NURL/big")")
    echo "  run $i: $label down $(mib "${BIG_DOWN[-1]}") up $(mib "${BIG_UP[-1]}"), nginx down $(mib "${NG_DOWN[-1]}") up $(mib "${NG_UP[-1]}") MiB/s"
  done
  rm -f "$TMP/big" "$TMP/nginx/www/big"
}

big_file_table() { # MiB label: the summary of big_file
  local name="$1 MiB file"; [ "$1" = 1024 ] && name="1 GiB file"
  runs() { for v in "$@"; do printf '%s ' "$(mib "$v")"; done; }
  printf "%-34s %12s %12s %10s   %s\n" "$name (curl, median of $RUNS)" "$2 MiB/s" "nginx MiB/s" "$2÷nginx" "runs $2 | nginx"
  local d u nd nu
  d=$(median "${BIG_DOWN[@]}"); nd=$(median "${NG_DOWN[@]}"); u=$(median "${BIG_UP[@]}"); nu=$(median "${NG_UP[@]}")
  printf "%-34s %12s %12s %10s   %s\n" "download (GET)" "$(mib "$d")" "$(mib "$nd")" "$(ratio "$d" "$nd")" "$(runs "${BIG_DOWN[@]}")| $(runs "${NG_DOWN[@]}")"
  printf "%-34s %12s %12s %10s   %s\n" "upload (PUT)" "$(mib "$u")" "$(mib "$nu")" "$(ratio "$u" "$nu")" "$(runs "${BIG_UP[@]}")| $(runs "${NG_UP[@]}")"
  echo "downloaded bytes' SHA-256 vs the file: $SHA_OK"
}

CREATE_CALLS=0
create_folders() { # workspace/folder N concurrency: tops the (existing) folder up to N sub-folders with POST /a/nodes
  # (wrk, deploy/bench/mkdir-many.lua, as TOKEN_LOGIN); sets HAVE, ROUND, CREATE_ERRORS, CREATE_S
  local folder=$1 n=$2 c=$3 poll; poll=$(token)
  count() { # entries in the folder (the folder entity's own count)
    local k
    k=$(curl -sS -f -H "Authorization: Bearer $poll" "$URL/a/nodes/$folder?children&limit=1" 2>/dev/null | json total) \
      || { poll=$(token); k=$(curl -sS -f -H "Authorization: Bearer $poll" "$URL/a/nodes/$folder?children&limit=1" | json total); }
    echo "$k"
  }
  CREATE_CALLS=$((CREATE_CALLS + 1)); HAVE=$(count); ROUND=0; CREATE_ERRORS=0
  local t0 t1 start=$HAVE; t0=$(date +%s.%N)
  while [ "$HAVE" -lt "$n" ] && [ "$ROUND" -lt 5 ]; do
    # a round: wrk creates what is missing; it ends when its threads are done, or when the count stops moving for 10 s
    # (a request lost on a broken connection gets no answer), and the next round tops up
    ROUND=$((ROUND + 1)); rm -rf "$TMP/done"; mkdir "$TMP/done"
    ARCA_BENCH_TOKEN=$(token) ARCA_BENCH_FOLDER=$folder ARCA_BENCH_RUN=c${CREATE_CALLS}r$ROUND ARCA_BENCH_COUNT=$((n - HAVE)) \
      ARCA_BENCH_THREADS=1 ARCA_BENCH_DONE_DIR="$TMP/done" \
      wrk -t1 -c"$c" -d3600s --timeout 30s -s "$ROOT/deploy/bench/mkdir-many.lua" "$URL" >"$TMP/mkdir.out" 2>&1 &
    WRK_PID=$!
    local last=$HAVE still=0 tick=0 now
    while kill -0 "$WRK_PID" 2>/dev/null && [ ! -s "$TMP/done/1" ]; do
      sleep 2; tick=$((tick + 1)); now=$(count)
      [ "$now" -ge "$n" ] && break
      if [ "$now" -eq "$last" ]; then still=$((still + 1)); [ "$still" -ge 5 ] && break; else still=0; last=$now; fi
      [ $((tick % 15)) -eq 0 ] && echo "  ... $now entries, $(python3 -c "print('%.0f' % (($now-$start)/($(date +%s.%N)-$t0)))")/s"
    done
    sleep 0.5; kill -INT "$WRK_PID" 2>/dev/null || true; wait "$WRK_PID" || true; WRK_PID=""
    local ok=0 bad=0; [ -s "$TMP/done/1" ] && read -r ok bad <"$TMP/done/1"
    CREATE_ERRORS=$((CREATE_ERRORS + bad))
    HAVE=$(count)
    echo "  round $ROUND: the folder has $HAVE entries ($bad failed answers; wrk: $(grep -E 'requests in|Socket errors|Non-2xx' "$TMP/mkdir.out" | tr -s ' ' | tr '\n' ';'))"
  done
  t1=$(date +%s.%N)
  CREATE_S=$(python3 -c "print('%.1f' % ($t1-$t0))"); CREATED=$((HAVE - start))
  [ "$HAVE" -ge "$n" ] || echo "WARNING: only $HAVE of $n entries after $ROUND rounds" >&2
}
