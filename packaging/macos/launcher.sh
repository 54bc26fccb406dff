#!/bin/sh
# The app's main executable: opening magister-notify.app starts the tray.
exec "$(dirname "$0")/magister-notify" tray
