#!/bin/sh
# commands.sh: times the commands an MVP lead reaches for, as whole calvin
# processes, over a store made by gendump (see README.md): each board
# window with and without an area, person and explain. Each command runs
# RUNS times (default 3); the line shows every run's wall time and the
# highest peak memory, then the machine's load average.
#
#   benchmarks/commands.sh BINARY CONFIG [MONTH] [AREA] [NAME]
#
# CONFIG names the database and the area (gendump's tags: an area such as
# `db: [sql, duckdb]`). MONTH defaults to 2020-06, AREA to db, NAME to
# "user 1" (gendump's most active author).
set -eu
bin=$1
cfg=$2
month=${3:-2020-06}
area=${4:-db}
name=${5:-user 1}
runs=${RUNS:-3}

run() {
	label=$1
	shift
	walls=""
	peak=0
	i=0
	while [ "$i" -lt "$runs" ]; do
		/usr/bin/time -f "%e %M" -o /tmp/calvin-bench-time "$bin" --config "$cfg" "$@" >/dev/null
		read -r wall kb </tmp/calvin-bench-time
		walls="$walls ${wall}s"
		[ "$kb" -gt "$peak" ] && peak=$kb
		i=$((i + 1))
	done
	printf '%-34s %s, peak %d MB\n' "$label" "$walls" $((peak / 1024))
}

run "leaderboard month" leaderboard --month "$month"
run "leaderboard quarter" leaderboard --month "$month" --window quarter
run "leaderboard 12m" leaderboard --month "$month" --window 12m
run "leaderboard 90d" leaderboard --month "$month" --window 90d
run "leaderboard 12m mvp by reach" leaderboard --month "$month" --window 12m --profile mvp --by reach
run "leaderboard --area month" leaderboard --month "$month" --area "$area"
run "leaderboard --area quarter" leaderboard --month "$month" --window quarter --area "$area"
run "leaderboard --area 12m" leaderboard --month "$month" --window 12m --area "$area"
run "leaderboard --area 90d" leaderboard --month "$month" --window 90d --area "$area"
run "person" person "$name"
run "explain --month" explain "$name" --month "$month"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
