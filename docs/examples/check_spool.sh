#!/bin/sh
# check_spool — a Mirador (and Nagios) check plugin: how many files wait in a spool directory.
# usage: check_spool.sh DIR [WARN] [CRIT]
# Exit code: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. First line: text, then "|" and perfdata.
dir=$1
warn=${2:-100}
crit=${3:-1000}
if [ -z "$dir" ] || [ ! -d "$dir" ]; then
  echo "SPOOL UNKNOWN - '$dir' is not a directory"
  exit 3
fi
count=$(find "$dir" -mindepth 1 -maxdepth 1 -type f | wc -l)
bytes=$(find "$dir" -mindepth 1 -maxdepth 1 -type f -exec cat {} + 2>/dev/null | wc -c)
if [ "$count" -ge "$crit" ]; then
  state=CRITICAL; code=2
elif [ "$count" -ge "$warn" ]; then
  state=WARNING; code=1
else
  state=OK; code=0
fi
echo "SPOOL $state - $count files waiting in $dir | files=$count;$warn;$crit;0; size=${bytes}B"
exit $code
