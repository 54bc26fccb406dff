#!/usr/bin/env bash
# The look, end to end: the tray in a tray host that draws (Debian's
# gtk-sni-tray-standalone, two bars) with dunst, under
# Xvfb on a private session bus, against magister-fake. It takes screenshots
# a person should look at, into $E2E_ARTIFACTS/look (bin/e2e/look):
#   icons-*.png        the icon on a light 24 px and a dark 16 px bar
#                      (normal, unread, sign-in needed), enlarged
#   menu.png           the open menu
#   recent-before.png  Recent open
#   recent-arrives.png Recent open while a new entry arrives, with its bubble
#   recent-after.png   the same moment without the bubble (the open popup
#                      keeps the old entries, at its size)
#   recent-reopened.png  then the pointer on Recent again
#   hostile.png        the notifications of school text that looks like markup
#   signin.png         the sign-in-needed notification
#   menu-signin.png    the menu then ("Opnieuw inloggen…" in the problem's place)
#   nobrowser-notification.png  "Opnieuw inloggen…" with no browser: the
#                      notification
#   nobrowser.png      then the menu, its line showing the address to open
# and asserts what can be asserted: dunst's history holds the hostile school
# text exactly as typed (the body as sent, escaped, since dunst reads markup
# there), the sign-in-needed notification arrives once over three failing
# checks, GetLayout labels carry "__" for "_", and the menu keeps its rows.
# Needs dbus, xvfb, dunst, libglib2.0-bin (gdbus), systemd (busctl),
# haskell-status-notifier-item-utils, haskell-gtk-sni-tray-utils, xdotool,
# imagemagick, curl and jq. Every wait has a timeout; the whole run
# is bounded; what it starts is stopped.
set -euo pipefail
self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$self")/.."

if [[ -z "${MAGISTER_E2E_BUS:-}" ]]; then
	for tool in dbus-run-session Xvfb dunst dunstctl gdbus busctl status-notifier-watcher gtk-sni-tray-standalone xdotool import convert curl jq timeout; do
		command -v "$tool" >/dev/null || { echo "e2e-look: $tool is missing" >&2; exit 1; }
	done
	# A private session bus that ends with the script; never longer than 3 min.
	exec timeout -k 10 180 dbus-run-session -- env MAGISTER_E2E_BUS=1 "$self" "$@"
fi

GO=${GO:-go}
started=$SECONDS
out=${E2E_ARTIFACTS:-bin/e2e}/look
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
E2E_NAME=e2e-look
E2E_SCREEN=1024x768x24
# shellcheck source=lib/desktop.sh
source "$(dirname "$self")/lib/desktop.sh"
trap 'exit 143' TERM INT # run the cleanup when timeout stops the script

"$GO" build -o "$log/magister-notify" ./cmd/magister-notify
"$GO" build -o "$log/magister-fake" ./cmd/magister-fake

# Nothing of the user's: home, caches and state in the log directory.
export HOME=$log/home XDG_CONFIG_HOME=$log/home/.config XDG_CACHE_HOME=$log/home/.cache XDG_DATA_HOME=$log/home/.local/share
export MAGISTER_NOTIFY_HOME=$log/state
mkdir -p "$HOME" "$MAGISTER_NOTIFY_HOME"
ln -s "$MAGISTER_NOTIFY_HOME/magister-notify.log" "$log/magister-notify.log" # in the logs on failure
mn() { "$log/magister-notify" "$@"; }

start_desktop
W=1024 H=768

# The watcher first (Debian's status-notifier-watcher): the host's own
# (--watcher) races its registration as a host and then dies about one run
# in three ("Pattern match failure ... Main.hs:177"). Then a light 24 px bar
# at the top and a dark 16 px one at the bottom, both drawing the item at
# their right end.
start_watcher
gtk-sni-tray-standalone --top --end --size 24 --color '#f0f0f0' >"$log/host-light.log" 2>&1 &
pids+=($!)
gtk-sni-tray-standalone --bottom --end --size 16 --color '#202124' >"$log/host-dark.log" 2>&1 &
pids+=($!)
host_registered() { watcher_prop IsStatusNotifierHostRegistered | grep -q true; }
wait_for 15 host_registered || fail "no tray host registered with the watcher"
sleep 1 # both hosts

# A fake school, signed in to as a parent, notifications in Dutch at any hour.
"$log/magister-fake" >"$log/fake.out" 2>"$log/fake.log" &
pids+=($!)
wait_for 10 test -s "$log/fake.out" || fail "magister-fake printed no address"
url=$(head -n 1 "$log/fake.out")
fake() { curl -sf --max-time 5 -X POST -H 'Content-Type: application/json' -d "${2:-"{}"}" "$url/_fake/$1"; }
echo '{"version":1,"tokens":{}}' >"$MAGISTER_NOTIFY_HOME/tokens.json" # never a keyring
mn config set quiet-hours off >/dev/null
mn config set language nl >/dev/null
fake refresh-token '{"login":"ouder"}' | jq -r .refresh_token |
	mn login --school demo --base-url "$url" --refresh-token-stdin >"$log/login.log" 2>&1 || fail "login: $(cat "$log/login.log")"

# xdg-open finds no browser: "Opnieuw inloggen…" must say so.
printf '#!/bin/sh\nexit 3\n' >"$log/xdg-open"
chmod +x "$log/xdg-open"
PATH="$log:$PATH" LANG=nl_NL.UTF-8 "$log/magister-notify" tray >"$log/tray.log" 2>&1 &
tray=$!
pids+=($tray)
item="org.kde.StatusNotifierItem-$tray-1"
wait_for 15 item_registered "$item" || fail "the tray did not register with the host's watcher"

# menu: the visible items, one a line: the label (indented two spaces per
# submenu level, "_" escaped as dbusmenu has it), a tab, the id. Hidden
# items and the items of a hidden submenu are left out. busctl, for JSON.
menu() {
	busctl --address="$DBUS_SESSION_BUS_ADDRESS" --timeout=5 --json=short call "$item" /StatusNotifierItem/menu \
		com.canonical.dbusmenu GetLayout iias -- 0 -1 0 | jq -r '
		def shown($n; $ind): if $n[1].visible.data != false then
			(($n[1].label.data // "" | select(. != "") | $ind + . + "\t" + ($n[0] | tostring)),
			 ($n[2][] | .data as $c | shown($c; $ind + "  ")))
			else empty end;
		.data[1][2][] | .data as $n | shown($n; "")'
}
labels() { menu | cut -f1; }
top() { labels | grep -v '^  '; }
id_of() { menu | awk -F'\t' -v l="$1" '{ s = $1; sub(/^ +/, "", s) } s == l { print $2; exit }'; }
click() {
	local id
	id=$(id_of "$1")
	[[ -n $id ]] || fail "no visible menu item '$1': $(labels | tr '\n' '|')"
	gdbus call --session --timeout 5 --dest "$item" --object-path /StatusNotifierItem/menu \
		--method com.canonical.dbusmenu.Event -- "$id" clicked '<0>' 0 >/dev/null
}
checks() { grep -c 'msg="check \(done\|failed\)' "$MAGISTER_NOTIFY_HOME/magister-notify.log" 2>/dev/null || true; }
more_checks() { [[ $(checks) -gt $1 ]]; }
# check_now: click "Nu controleren" and wait until that check has ended.
check_now() {
	local n
	n=$(checks)
	click "Nu controleren"
	wait_for 15 more_checks "$n" || fail "no check ended within 15 s of clicking Nu controleren"
}
shot() { import -window root "$log/screen.png"; }
# crop NAME GEOMETRY [SCALE]: a part of the last screenshot, enlarged.
crop() { convert "$log/screen.png" -crop "$2" +repage -filter point -resize "${3:-100}%" "$out/$1.png"; }
# icons NAME: the icon at the right end of both bars, the light one and the
# dark one (padded to 24 px with its own colour), 8 times enlarged.
icons() {
	shot
	convert \( "$log/screen.png" -crop 40x24+$((W - 40))+0 +repage \) \
		\( -size 8x24 xc:'#808080' \) \
		\( "$log/screen.png" -crop 40x16+$((W - 40))+$((H - 16)) +repage -background '#202124' -gravity center -extent 40x24 \) \
		+append -filter point -resize 800% "$out/icons-$1.png"
}
menu_area=760x460+$((W - 760))+0
# open_menu: click the icon on the light bar, then move the pointer off it
# (its tooltip would cover the menu); the menu stays open.
open_menu() {
	xdotool mousemove $((W - 12)) 12 click 1
	sleep 0.3
	xdotool mousemove 200 600
	sleep 0.7
}
close_menu() { xdotool key Escape key Escape key Escape; sleep 0.3; }
# The first selectable row is Recent (the two lines above are disabled).
open_recent() { xdotool key Down; sleep 0.2; xdotool key Right; sleep 0.8; }
displayed() { [[ $(dunstctl count displayed) -ge $1 ]]; }
dunst_history() { dunstctl close-all; sleep 0.2; dunstctl history; }

# 1. The first check takes stock silently.
checked() { top | grep -q '^Gecontroleerd '; }
wait_for 20 checked || fail "the menu never said Gecontroleerd: $(labels | tr '\n' '|')"
rows=$(top | wc -l)
sleep 0.5
icons normal
echo "$E2E_NAME: icons on a light 24 px and a dark 16 px bar: $out/icons-normal.png"

open_menu
shot
crop menu "$menu_area"
open_recent
shot
crop recent-before "$menu_area"

# 2. School text that looks like markup arrives while Recent is open.
grade_desc='SO hoofdstuk 3 & 4: breuken <herkansing> en meer, cijfer <5,5'
sender='<b>Mentor</b> & J_de_Vries'
subject='Rapport <i>inzien</i> & 100% 🎉 — “klaar”'
jq -n --arg d "$grade_desc" '{child: "Anna", subject: "wisA", value: "8,3", weight: 2, description: $d}' >"$log/grade.json"
fake grades "$(cat "$log/grade.json")" >/dev/null || fail "the fake school did not add a grade"
fake messages "$(jq -n --arg f "$sender" --arg s "$subject" '{child: "Anna", from: $f, subject: $s}')" >/dev/null ||
	fail "the fake school did not add a message"
check_now
wait_for 10 displayed 2 || fail "dunst did not show the two notifications"
sleep 0.8 # let dunst and the host draw
shot
crop recent-arrives "$menu_area"
cp "$log/screen.png" "$out/hostile.png"
dunstctl close-all
sleep 0.5
shot
crop recent-after "$menu_area"
# The pointer back on Recent (the third row) opens the new copy.
xdotool mousemove $((W - 150)) 91
sleep 1
shot
crop recent-reopened "$menu_area"
close_menu
icons unread
[[ $(top | wc -l) -eq $rows ]] || fail "the menu went from $rows to $(top | wc -l) rows: $(top | tr '\n' '|')"

# dunst holds the school's text exactly: the summary (plain text) as typed,
# the body as sent, escaped, which dunst shows as typed.
esc() { sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' <<<"$1"; }
dunst_history >"$out/dunst-history.json"
# in_history IN-SUMMARY BODY [prefix]: one notification whose summary holds
# IN-SUMMARY as it is and whose body is BODY (or starts with it).
in_history() {
	jq -e --arg s "$1" --arg b "$2" --arg how "${3:-exact}" \
		'[.data[][] | select((.summary.data | contains($s)) and (if $how == "prefix" then (.body.data | startswith($b)) else .body.data == $b end))] | length == 1' \
		"$out/dunst-history.json" >/dev/null
}
seen() { jq -c '[.data[][] | [.summary.data, .body.data]]' "$out/dunst-history.json"; }
in_history "$sender" "$(esc "$subject")" ||
	fail "dunst history lacks a title with '$sender' and the body '$subject' exactly: $(seen)"
in_history "8,3" "$(esc "$grade_desc") · " prefix ||
	fail "dunst history lacks the grade with '$grade_desc' exactly: $(seen)"
echo "$E2E_NAME: dunst history holds the hostile school text exactly as typed"

# Underscores reach the menu escaped ("__"), or they would be mnemonics.
labels >"$out/labels.txt"
grep -qF 'J__de__Vries' "$out/labels.txt" || fail "no 'J__de__Vries' among the menu labels: $(tr '\n' '|' <"$out/labels.txt")"
if grep -E '(^|[^_])_([^_]|$)' "$out/labels.txt"; then fail "a menu label has a lone '_' (a mnemonic)"; fi
echo "$E2E_NAME: GetLayout labels carry __ for _"

# 3. Magister ends the session: one notification over three failing checks.
fake tokens/revoke >/dev/null || fail "the fake school did not revoke the tokens"
fake tokens/expire >/dev/null || fail "the fake school did not expire the tokens"
check_now
wait_for 10 displayed 1 || fail "no sign-in-needed notification on screen"
sleep 0.8
shot
crop signin 520x200+$((W - 520))+0
cp "$log/screen.png" "$out/signin-full.png"
check_now
check_now
signin_count() { dunst_history | jq '[.data[][] | select(.summary.data == "Magister: opnieuw inloggen nodig")] | length'; }
n=$(signin_count)
[[ $n -eq 1 ]] || fail "the sign-in-needed notification arrived $n times over three checks, want once"
echo "$E2E_NAME: the sign-in-needed notification arrived once over three failing checks"
sleep 0.5
icons signin
open_menu
shot
crop menu-signin "$menu_area"
[[ $(top | sed -n 2p) == "Opnieuw inloggen…" ]] || fail "the second line is '$(top | sed -n 2p)', want Opnieuw inloggen…"
[[ $(top | wc -l) -eq $rows ]] || fail "the problem changed the menu's rows from $rows to $(top | wc -l)"

# 4. "Opnieuw inloggen…" with no browser (xdg-open fails): a notification,
# and the line shows the address to open.
click "Opnieuw inloggen…"
wait_for 10 displayed 1 || fail "no notification that the browser did not open"
addr_line() { top | sed -n 2p | grep -q '^Open in een browser om in te loggen: http://127\.0\.0\.1:[0-9]*/$'; }
wait_for 10 addr_line || fail "the second line is '$(top | sed -n 2p)', want the address to open"
sleep 0.8
shot
crop nobrowser-notification 520x200+$((W - 520))+0
# A click closes a real menu; opened again, it is sized for the new line.
close_menu
dunstctl close-all
open_menu
shot
crop nobrowser "$menu_area"
addr=$(top | sed -n 2p | grep -o 'http://.*')
loc=$(curl -s --max-time 5 -o /dev/null -w '%{redirect_url}' "$addr")
[[ $loc == "$url/connect/authorize?"* ]] || fail "$addr sends the browser to '$loc', not to the school's sign-in"
dunst_history | jq -e '[.data[][] | select(.summary.data == "De browser kon niet worden geopend")] | length == 1' >/dev/null ||
	fail "dunst history lacks 'De browser kon niet worden geopend' once"
echo "$E2E_NAME: without a browser, a notification and the line $addr (sends on to the sign-in)"
close_menu

echo "$E2E_NAME: screenshots in $out ($((SECONDS - started)) s)"
