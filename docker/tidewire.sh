#!/bin/sh
# The tidewire command inside the image: bin/tidewire without its build step. The JVM is PID 1
# (exec), so `docker stop` (SIGTERM) reaches its shutdown hook and the part stops gracefully.
# TIDEWIRE_JAVA_OPTS replaces the default heap sizing (a share of the container's memory limit).
exec java ${TIDEWIRE_JAVA_OPTS:--XX:MaxRAMPercentage=75} -cp "/opt/tidewire/tidewire.jar:/opt/tidewire/lib/*" \
  io.tidewire.launcher.Main "$@"
