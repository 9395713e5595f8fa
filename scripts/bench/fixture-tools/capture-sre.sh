#!/usr/bin/env bash
# Produces scripts/bench/fixtures/sre/*: a real nginx (loopback only) in front of shop-server.mjs,
# a bounded request loop (load.mjs), then the logs and metrics as they were written.
# Needs: nginx (apt-get install nginx), curl, node. Ports 8088 (nginx) and 8089 (app) on 127.0.0.1.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
OUT="$HERE/../fixtures/sre"
WORK="$(mktemp -d /tmp/headroom-sre.XXXXXX)"
mkdir -p "$OUT" "$WORK/logs"

cat >"$WORK/nginx.conf" <<EOF
worker_processes 1;
error_log $WORK/logs/error.log warn;
pid $WORK/nginx.pid;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $WORK/tmp-body;
  proxy_temp_path $WORK/tmp-proxy;
  fastcgi_temp_path $WORK/tmp-fastcgi;
  uwsgi_temp_path $WORK/tmp-uwsgi;
  scgi_temp_path $WORK/tmp-scgi;
  log_format timed '\$remote_addr - \$remote_user [\$time_local] "\$request" \$status \$body_bytes_sent '
                   '"\$http_referer" "\$http_user_agent" rt=\$request_time urt=\$upstream_response_time';
  upstream shop_api { server 127.0.0.1:8089; keepalive 16; }
  server {
    listen 127.0.0.1:8088;
    access_log $WORK/logs/access.log timed;
    location /nginx_status { stub_status; allow 127.0.0.1; deny all; }
    location / {
      proxy_pass http://shop_api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_read_timeout 1s;
    }
  }
}
EOF

env -i PATH="$PATH" HOME="$WORK" node "$HERE/shop-server.mjs" >"$WORK/logs/app.log" 2>&1 &
APP=$!
nginx -c "$WORK/nginx.conf"
trap 'nginx -c "$WORK/nginx.conf" -s quit || true; kill $APP 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf http://127.0.0.1:8088/healthz >/dev/null && break; sleep 0.1; done

REQUESTS="${REQUESTS:-1500}" node "$HERE/load.mjs" | tee "$WORK/load-summary.json"

# Metrics, as an agent would fetch them: nginx stub_status and the app's Prometheus text, each
# turned into JSON by prom2json.mjs; /proc of the app process; a Node diagnostic report.
curl -s http://127.0.0.1:8088/nginx_status >"$WORK/stub_status.txt"
curl -s http://127.0.0.1:8088/metrics >"$WORK/metrics.prom"
node "$HERE/prom2json.mjs" "$WORK/metrics.prom" "$WORK/stub_status.txt" "/proc/$APP" >"$OUT/metrics.json"
curl -s http://127.0.0.1:8088/debug/report >"$OUT/process-report.json"

cp "$WORK/logs/access.log" "$OUT/nginx-access.log"
cp "$WORK/logs/error.log" "$OUT/nginx-error.log"
cp "$WORK/logs/app.log" "$OUT/app.log"
echo "captured into $OUT (work dir $WORK)"
