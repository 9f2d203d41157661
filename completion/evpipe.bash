# bash completion for the evpipe tools.
#
# Completes each tool's options (short and long, as its man page lists
# them, plus -V/--version and --help), and their arguments: sinks (-o:
# "-", files, zmq:, push:, ntop:, ntop-tlv:, nats:), inputs ("-", files,
# zmq:, pull:), ZMQ endpoints, capture files for pcap-ingest -r, network
# interfaces for pcap-ingest -i (from /sys/class/net, and "any"), users,
# directories and files; for evpipe, the stage names, then each stage's
# own arguments after it.
#
# Installed by `make install` into $(PREFIX)/share/bash-completion/
# completions; to try it from the source tree: `. completion/evpipe.bash`.

# Options per tool, one "short long argument" triple per option: the
# argument's kind, or "-" for a flag. Kinds: sink input endpoint file dir
# pcap iface user views header value (a value typed by hand).
_evpipe_opts() {
	case $1 in
	zmq-ingest) echo "
		-a --allow file	-c --count value
		-f --first-msg-id value	-H --rcvhwm value
		-k --curve-key file	-l --line-buffered -
		-m --max-payload value	-N --names -
		-o --output sink	-q --quiet -
		-t --idle-timeout value" ;;
	pcap-ingest) echo "
		-A --aggregate value	-c --count value
		-f --filter value	-i --interface iface
		-L --dpi -	-l --line-buffered -
		-N --non-ip -	-o --output sink
		-p --no-promiscuous-mode -
		-q --quiet -	-r --read pcap
		-s --snaplen value	-Z --user user" ;;
	ev-route) echo "
		-c --companion value	-D --drop -
		-f --config file	-i --iface value
		-j --jobs value	-L --max-line value
		-l --line-buffered -	-m --mirrored value
		-O --shard-output sink	-o --output value
		-q --quiet -	-S --shards value" ;;
	flow-agg) echo "
		-a --active-timeout value	-f --fin-timeout value
		-I --interim value	-i --idle-timeout value
		-L --max-line value	-l --line-buffered -
		-m --max-flows value	-N --no-ifaces -
		-o --output sink	-q --quiet -
		-v --vlan -" ;;
	ev-show) echo "
		-b --batch -	-d --delay value
		-E --events value	-F --flows value
		-f --filter value	-I --idle value
		-i --iface value	-L --max-line value
		-c --count value	-q --quiet -
		-s --sort value	-T --linger value
		-v --views views	-w --width value
		-x --exit -" ;;
	ev-emit) echo "
		-a --array -	-b --batch value
		-E --encoding value	-e --ebpf -
		-F --frames -
		-g --gap value	-H --header header
		-f --first-msg-id value	-K --curve-key file
		-k --curve-serverkey file	-L --linger value
		-n --repeat value	-q --quiet -
		-r --rate value	-s --source-id value
		-T --topic value	-w --wait value
		-x --header-version value	-z --zlib -" ;;
	ev-keygen) echo "
		-d --dir dir	-f --force -
		-p --public file	-s --secret file
		-z --z85 -" ;;
	*) return 1 ;;
	esac
	# The convention every tool follows (evpipe(7)).
	echo "-V --version -	- --help -"
}

# The argument kind of option $2 of tool $1 ("-" for a flag), or nothing
# when $2 is not one of its options.
_evpipe_argkind() {
	local s l k
	while read -r s l k; do
		if [ "$2" = "$s" ] || [ "$2" = "$l" ]; then
			echo "$k"
			return 0
		fi
	done <<EOF
$(_evpipe_opts "$1" | tr '\t' '\n')
EOF
	return 1
}

# Adds to COMPREPLY the words of "$@" that start with $cur.
_evpipe_add() {
	local w
	for w in "$@"; do
		case $w in "$cur"*) COMPREPLY+=("$w") ;; esac
	done
}

# Completions of one argument of kind $1 for the word $cur.
_evpipe_value() {
	local w
	case $1 in
	sink | input)
		if [ "$1" = sink ]; then
			_evpipe_add - zmq: push: ntop: ntop-tlv: nats:
		else
			_evpipe_add - zmq: pull:
		fi
		# After a ZMQ scheme: bind (@) or connect (>), then the transport.
		case $cur in
		zmq:* | push:* | pull:* | ntop:* | ntop-tlv:*)
			w=${cur%%:*}:
			COMPREPLY=()
			case ${cur#"$w"} in
			@* | \>*) _evpipe_endpoint "$w${cur:${#w}:1}" ;;
			*) _evpipe_add "$w@" "$w>" ;;
			esac
			return ;;
		nats:*) return ;;
		esac
		_evpipe_compgen -f ;;
	endpoint) _evpipe_endpoint "" ;;
	file) _evpipe_compgen -f ;;
	dir) _evpipe_compgen -d ;;
	pcap)
		_evpipe_compgen -d
		while IFS= read -r w; do
			case $w in *.pcap | *.pcapng | *.cap) COMPREPLY+=("$w") ;; esac
		done <<EOF
$(compgen -f -- "$cur")
EOF
		;;
	iface)
		for w in /sys/class/net/*; do
			[ -e "$w" ] && _evpipe_add "${w##*/}"
		done
		_evpipe_add any ;;
	user) _evpipe_compgen -u ;;
	views)
		# A comma-separated list: complete its last element.
		local pre=${cur%"${cur##*,}"} v
		for v in flows processes interfaces listening events applications; do
			case $pre$v in "$cur"*) COMPREPLY+=("$pre$v") ;; esac
		done ;;
	header) _evpipe_add 0 1 2 3 ;;
	esac
}

# ZMQ transports after the prefix $1 (a scheme and @ or >, or nothing).
_evpipe_endpoint() {
	_evpipe_add "$1tcp://" "$1ipc://"
}

# Adds compgen's $1 (-f files, -d folders, -u users) for $cur, one reply
# per line so that names with spaces stay whole.
_evpipe_compgen() {
	local f
	while IFS= read -r f; do
		[ -n "$f" ] && COMPREPLY+=("$f")
	done <<EOF
$(compgen "$1" -- "$cur")
EOF
}

# Completes tool $1 whose words are words[0..cword] (words[0] the tool).
_evpipe_tool() {
	local tool=$1 prev='' kind s l k i npos=0
	[ "$cword" -gt 0 ] && prev=${words[cword - 1]}
	# --long=value
	case $cur in
	--*=*)
		kind=$(_evpipe_argkind "$tool" "${cur%%=*}") || return
		local opt=${cur%%=*}=
		cur=${cur#*=}
		_evpipe_value "$kind"
		for i in "${!COMPREPLY[@]}"; do
			COMPREPLY[i]=$opt${COMPREPLY[i]}
		done
		return ;;
	esac
	# The argument of the option before it.
	if [ -n "$prev" ] && kind=$(_evpipe_argkind "$tool" "$prev") &&
	    [ "$kind" != - ]; then
		_evpipe_value "$kind"
		return
	fi
	case $cur in
	-*)
		while read -r s l k; do
			[ -n "$l" ] || continue
			if [ "$k" = - ]; then
				_evpipe_add "$s" "$l"
			else
				_evpipe_add "$s" "$l="
			fi
		done <<EOF
$(_evpipe_opts "$tool" | tr '\t' '\n')
EOF
		# "-" alone is a short option's dash, never an option by itself.
		for i in "${!COMPREPLY[@]}"; do
			[ "${COMPREPLY[i]}" = - ] && unset 'COMPREPLY[i]'
		done
		COMPREPLY=("${COMPREPLY[@]}")
		return ;;
	esac
	# Positional arguments: count those before this one.
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--*=* | -) ;;
		-*)
			kind=$(_evpipe_argkind "$tool" "${words[i]}") &&
			    [ "$kind" != - ] && i=$((i + 1)) ;;
		*) npos=$((npos + 1)) ;;
		esac
	done
	case $tool in
	zmq-ingest) _evpipe_value endpoint ;;
	ev-emit)
		if [ "$npos" -eq 0 ]; then
			_evpipe_value endpoint
		else
			_evpipe_value file
		fi ;;
	ev-route | flow-agg | ev-show) _evpipe_value input ;;
	esac
}

_evpipe_stages=(zmq-ingest pcap-ingest ev-route flow-agg ev-show)

# The completion function of every tool. It splits the line itself, on
# white space only, so that "zmq:@tcp://..." and "--output=x" stay one
# word whatever COMP_WORDBREAKS holds, and trims what bash will not
# replace (up to the last ':' or '=' of the word) from the replies.
_evpipe_complete() {
	local line=${COMP_LINE:0:COMP_POINT} cur cword i tool
	local -a words
	COMPREPLY=()
	set -f
	read -r -a words <<<"$line"
	set +f
	case $line in
	*[[:space:]] | "") words+=("") ;;
	esac
	cword=$((${#words[@]} - 1))
	cur=${words[cword]}
	# In an open quote, the word readline replaces starts after it.
	local q=
	case $cur in
	\'* | \"*) q=${cur:0:1} cur=${cur:1} ;;
	esac
	words[cword]=$cur
	local full=$cur
	tool=${words[0]##*/}
	if [ "$tool" = evpipe ]; then
		# After evpipe or a "|": a stage; else that stage's arguments.
		local start=1
		for ((i = 1; i < cword; i++)); do
			[ "${words[i]}" = "|" ] || [ "${words[i]}" = "'|'" ] &&
			    start=$((i + 1))
		done
		if [ "$cword" -eq "$start" ]; then
			_evpipe_add "${_evpipe_stages[@]}"
		else
			words=("${words[@]:start}")
			cword=$((cword - start))
			_evpipe_tool "${words[0]}"
		fi
	else
		_evpipe_tool "$tool"
	fi
	# Replies that go on (a scheme, "@", an option's "=", a folder) take
	# no space after them.
	for i in "${!COMPREPLY[@]}"; do
		case ${COMPREPLY[i]} in
		*: | *@ | *\> | *= | *//)
			compopt -o nospace 2>/dev/null ;;
		esac
	done
	# Outside quotes bash replaces only what follows the word's last
	# break character (COMP_WORDBREAKS: ':', '=', '>', ...).
	if [ -z "$q" ]; then
		local pre='' c
		for ((i = ${#full} - 1; i >= 0; i--)); do
			c=${full:i:1}
			case $c in [[:space:]]) continue ;; esac
			if [[ "${COMP_WORDBREAKS-}" == *"$c"* ]]; then
				pre=${full:0:i+1}
				break
			fi
		done
		for i in "${!COMPREPLY[@]}"; do
			COMPREPLY[i]=${COMPREPLY[i]#"$pre"}
		done
	fi
	return 0
}

complete -o filenames -F _evpipe_complete \
    zmq-ingest pcap-ingest ev-route flow-agg ev-show ev-emit ev-keygen evpipe
