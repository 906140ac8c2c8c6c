#!/bin/sh
# Regenerates the sample lab in samples/lab from bench/probegen: the same
# bytes every time (make samples). Usage: tools/make_samples.sh PROBEGEN
set -eu
gen=$1
lab=samples/lab
mkdir -p "$lab/native-server" "$lab/guest-msvs"

cat > "$lab/native-server/run.ini" <<'INI'
; A run folder's description; see README.md, "run.ini".
[run]
title = P3 Native Server: typical server, no virtualization
host = LABHOST01
platform = Windows Server 2003 on 2 x 2.6 GHz Xeon with HyperThreading
notes = Synthetic sample data (bench/probegen, profile native), shaped after the paper's figure 2.
INI
"$gen" --samples 2400 --seed 2 --profile native > "$lab/native-server/probe.probe"

cat > "$lab/guest-msvs/run.ini" <<'INI'
[run]
title = P3 GuestOS: MicrosoftVS ; 1 Guest
host = LABHOST01
guest = W2K-GUEST08
platform = Microsoft Virtual Server 1.1 EE
notes = Synthetic sample data (bench/probegen, profile guest), shaped after the paper's figure 3. Two probe sessions.
levels = None, Low, Medium, Busy, Maximum, Overload
INI
"$gen" --samples 1200 --seed 3 --profile guest > "$lab/guest-msvs/session-a.probe"
"$gen" --samples 1200 --seed 4 --profile guest --start 1109682000 > "$lab/guest-msvs/session-b.probe"
