#!/bin/bash
# HEALTHCHECK: healthy when GET /health on the server's configured HTTP port answers 200 (only
# once the backbone and skills are loaded). The port is the one entrypoint.sh read from the
# effective config (/tmp/adahit-http-port), else ADAHIT_HTTP_PORT, else 35496. No curl: bash's /dev/tcp.
port="$(cat /tmp/adahit-http-port 2>/dev/null || true)"
port="${port:-${ADAHIT_HTTP_PORT:-35496}}"
{ exec 3<>"/dev/tcp/127.0.0.1/${port}"; } 2>/dev/null || { echo "nothing listens on port ${port}"; exit 1; }
printf 'GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
IFS= read -r -t 5 status <&3 || exit 1
[[ "$status" == *" 200 "* ]]
