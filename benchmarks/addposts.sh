#!/bin/sh
# addposts.sh: writes a Stack Exchange dump of a thousand posts that come
# after a gendump dump, for the benchmark of an ingest that adds a few
# posts to a large store (a pull, or the posts a newer dump adds):
# 300 questions, 400 answers and 300 comments on the dump's last day, by
# the dump's first thousand users, with ids above the dump's; half the
# answers and comments go to questions of the dump spread over its years.
#
#   benchmarks/addposts.sh DUMP OUT
#
# DUMP is a folder gendump wrote; OUT is created. The same DUMP writes the
# same OUT.
set -eu
dump=$1
out=$2
mkdir -p "$out"

last=$(tail -c 100000 "$dump/Posts.xml" | grep -o 'row Id="[0-9]*"' | tail -1 | tr -dc 0-9)
lastc=$(tail -c 100000 "$dump/Comments.xml" | grep -o 'row Id="[0-9]*"' | tail -1 | tr -dc 0-9)
day=$(tail -c 100000 "$dump/Posts.xml" | grep -o 'CreationDate="[0-9-]*' | tail -1 | cut -d'"' -f2)

# Old questions: the first question id found in each of 200 slices of
# Posts.xml.
size=$(stat -c %s "$dump/Posts.xml")
i=1
: >"$out/old"
while [ "$i" -le 200 ]; do
	tail -c +$((size / 201 * i)) "$dump/Posts.xml" | head -c 200000 |
		grep -o 'Id="[0-9]*" PostTypeId="1"' | head -1 | cut -d'"' -f2 >>"$out/old"
	i=$((i + 1))
done

awk -v last="$last" -v lastc="$lastc" -v day="$day" -v out="$out" '
function stamp(n) { return sprintf("%sT%02d:%02d:%02d.000", day, int(n / 60) % 24, n % 60, n % 60) }
BEGIN { srand(1) }
{ old[NR] = $1 }
END {
	posts = out "/Posts.xml"; comments = out "/Comments.xml"
	print "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<posts>" > posts
	id = last
	for (q = 1; q <= 300; q++) {
		id++; newq[q] = id
		printf "  <row Id=\"%d\" PostTypeId=\"1\" CreationDate=\"%s\" Score=\"0\" ViewCount=\"10\" Body=\"a new question\" OwnerUserId=\"%d\" Title=\"New question %d\" Tags=\"&lt;%s&gt;\" />\n", id, stamp(q), 1 + int(rand() * 1000), q, (q % 5 == 0 ? "sql" : "go") > posts
	}
	for (a = 1; a <= 400; a++) {
		id++
		parent = (a % 2 == 0) ? old[1 + int(rand() * 200)] : newq[1 + int(rand() * 300)]
		target[a] = id
		printf "  <row Id=\"%d\" PostTypeId=\"2\" ParentId=\"%d\" CreationDate=\"%s\" Score=\"1\" Body=\"a new answer\" OwnerUserId=\"%d\" />\n", id, parent, stamp(300 + a), 1 + int(rand() * 1000) > posts
	}
	print "</posts>" > posts
	print "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<comments>" > comments
	for (c = 1; c <= 300; c++) {
		post = (c % 2 == 0) ? old[1 + int(rand() * 200)] : target[1 + int(rand() * 400)]
		printf "  <row Id=\"%d\" PostId=\"%d\" Score=\"0\" Text=\"a new comment\" CreationDate=\"%s\" UserId=\"%d\" />\n", lastc + c, post, stamp(700 + c), 1 + int(rand() * 1000) > comments
	}
	print "</comments>" > comments
}' "$out/old"
rm "$out/old"
echo "$out: 300 questions, 400 answers, 300 comments on $day, post ids after $last"
