#!/usr/bin/env bash
# Run the test suite with the system clock moved to the moments where date and time-zone bugs hide:
# 00:30 and 23:30 UK time on an ordinary winter day and on both days the clocks change (last Sunday
# of March, last Sunday of October). Not part of `make test`: it runs the whole suite six times.
#
#   scripts/test-at-times.sh                       every moment, whole suite
#   scripts/test-at-times.sh tests/surgeries -x    every moment, arguments passed to pytest
#   MOMENTS="2027-03-28T22:30:00Z" scripts/test-at-times.sh    chosen moments (UTC, ISO 8601)
#
# The clock is moved with Debian's `faketime` (libfaketime through LD_PRELOAD). `-f '@…'` starts the
# clock at that moment and lets it run, so timeouts and sleeps still work; the monotonic clock is left
# alone (FAKETIME_DONT_FAKE_MONOTONIC) because lock and event waits (and Java) time themselves by it;
# scripts/faketime/sitecustomize.py works round libfaketime's broken time.sleep in that mode.
# PostgreSQL and Node start from the same moment; Chromium keeps the real clock (see tests/conftest.py).
set -uo pipefail
cd "$(dirname "$0")/.."

command -v faketime >/dev/null || { echo "faketime is needed: apt-get install faketime" >&2; exit 2; }
PYTHON=${PYTHON:-.venv/bin/python}

# UTC instants; UK time is UTC in winter and UTC+1 in summer (BST).
DEFAULT_MOMENTS=(
  "2027-01-13T00:30:00Z"  # Wednesday 13 January 2027, 00:30 GMT
  "2027-01-13T23:30:00Z"  # Wednesday 13 January 2027, 23:30 GMT
  "2027-03-28T00:30:00Z"  # Sunday 28 March 2027, 00:30 GMT: clocks go forward at 01:00 GMT
  "2027-03-28T22:30:00Z"  # Sunday 28 March 2027, 23:30 BST: the first evening an hour ahead of UTC
  "2027-10-30T23:30:00Z"  # Sunday 31 October 2027, 00:30 BST: UK is a day ahead of UTC (Saturday)
  "2027-10-31T23:30:00Z"  # Sunday 31 October 2027, 23:30 GMT: clocks went back at 01:00 GMT
)
if [ -n "${MOMENTS:-}" ]; then read -r -a moments <<<"$MOMENTS"; else moments=("${DEFAULT_MOMENTS[@]}"); fi

status=0
summary=()
for moment in "${moments[@]}"; do
  stamp=$(TZ=UTC date -u -d "$moment" '+%Y-%m-%d %H:%M:%S') || exit 2
  uk=$(TZ=Europe/London date -d "$moment" '+%A %-d %B %Y %H:%M %Z')
  echo "=== clock at $stamp UTC ($uk) ==="
  PYTHONPATH="$PWD/scripts/faketime${PYTHONPATH:+:$PYTHONPATH}" TZ=UTC FAKETIME_DONT_FAKE_MONOTONIC=1 \
    faketime -f "@$stamp" \
    "$PYTHON" -m pytest -q -p no:cacheprovider -p no:randomly "$@"
  result=$?
  [ "$result" = 0 ] || status=1
  summary+=("$stamp UTC ($uk): pytest exit $result")
done

echo
printf '%s\n' "${summary[@]}"
exit "$status"
