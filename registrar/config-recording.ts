/**
 * The parts of kamailio.cfg that anchor a recording user's calls through the media relay (rtpengine, driven
 * by Kamailio's `rtpengine` module). Rendered only when the registrar is started with a relay; without one
 * the routing script has no trace of recording and never talks to a relay.
 *
 * What a recorded call goes through (registrar/README.md, "Recorded calls"):
 *  - route[RECORD] (request route, after the dial plan accepted the call, never for emergency numbers):
 *    when the caller's user has a recording address, builds the call's metadata string from the settings
 *    read at this moment, marks the dialog (Record-Route `rec=1`) and arms the routes below;
 *  - branch_route[RECORD_BRANCH]: one `offer` per branch (`via-branch=next`), so an extension call that
 *    forks to every device of the callee gives each branch its own leg; PCMU/PCMA only. A refused or
 *    unanswered offer leaves the call unanchored and writes one `pbx_recording_event` row;
 *  - onreply_route[RECORD_REPLY]: `answer` for replies with SDP (183, 200), recording started at the 200 OK
 *    (so ringing and early media are not recorded) and the call's metadata kept in `pbx_recording_call` (a
 *    relay that dies mid-call loses it), a branch that lost to another one deleted;
 *  - failure_route[RECORD_FAILURE]: the call failed or was cancelled: its relay session is ended; nothing
 *    was recorded (recording starts at the answer), so the relay writes no file for it;
 *  - route[RECORD_INDIALOG]: in-dialog requests of marked dialogs only: BYE (either side) ends the session,
 *    a re-INVITE is anchored again.
 */

/** Where Kamailio reaches the relay's NG control port. */
export interface RelayAddress {
  host: string;
  ngPort: number;
}

/** Reasons Kamailio writes into `pbx_recording_event.reason`. */
export const RECORDING_EVENT_REASONS = {
  /** The relay did not answer the offer in time, or answered it with an error. */
  relayUnavailable: "relay-unavailable",
  /** The INVITE carried no SDP (a late offer): there was nothing to anchor. */
  noSdpOffer: "no-sdp-offer",
} as const;

/**
 * How long Kamailio waits for the relay. A dead relay costs a call RETRIES × TIMEOUT_MS (600 ms) once;
 * the module then marks it disabled and, with aggressive redetection off, does not ask it again for
 * DISABLE_SECONDS, so the calls in between (the other branches of the same call included) are not delayed
 * at all and go unrecorded. A relay restarted by its supervisor is back within a second, so a short
 * disabled period loses few recordings; a long timeout would delay every call of a recording user.
 */
const TIMEOUT_MS = 300;
const RETRIES = 2;
const DISABLE_SECONDS = 5;

/**
 * Offer flags: the relay's address in the SDP, no ICE candidates around it, and G.711 only (what the
 * recording pipeline decodes), keeping telephone events so keypad digits still work. A phone that offers
 * neither PCMU nor PCMA gets an offer with no audio codec, which the callee refuses (488).
 */
const MEDIA_FLAGS = "replace-origin replace-session-connection ICE=remove";
const G711_ONLY = "codec-strip=all codec-except=PCMU codec-except=PCMA codec-except=telephone-event";

export function renderRelayModule(relay: RelayAddress): string {
  const host = relay.host.includes(":") ? `udp6:[${relay.host}]` : `udp:${relay.host}`;
  return `loadmodule "rtpengine.so"
modparam("rtpengine", "rtpengine_sock", "${host}:${relay.ngPort}")
# A dead relay delays a call by at most ${RETRIES} x ${TIMEOUT_MS} ms, once; it is then left alone for
# ${DISABLE_SECONDS} s instead of being pinged again on every call (registrar/config-recording.ts says why).
modparam("rtpengine", "rtpengine_tout_ms", ${TIMEOUT_MS})
modparam("rtpengine", "rtpengine_retr", ${RETRIES})
modparam("rtpengine", "rtpengine_disable_tout", ${DISABLE_SECONDS})
modparam("rtpengine", "aggressive_redetection", 0)
`;
}

/** Flag numbers: a transaction flag for "this call is to be recorded", a branch flag for "anchored". */
const FLT_RECORD = 10;
const FLB_ANCHORED = 11;

/**
 * The recording routes. They expect the request route to have set `$xavp(caller=>…)` (the caller's user,
 * with `remail`/`rsubj`), `$var(dest)` (as dialled), `$var(number)` (as sent on) and `$var(kind)`.
 */
export function renderRecordingRoutes(): string {
  const reasons = RECORDING_EVENT_REASONS;
  return `
# A recording user's call (not an emergency call, accepted by the dial plan): decided now, from the
# settings read at the start of the call.
route[RECORD] {
	if ($xavp(caller=>remail) == $null || $xavp(caller=>remail) == "") return;
	$avp(rec_meta) = "v=1&user=" + $(xavp(caller=>uid){s.encode.hexa})
		+ "&ext=" + $(xavp(caller=>ext){s.encode.hexa})
		+ "&dialled=" + $(var(dest){s.encode.hexa})
		+ "&to=" + $(var(number){s.encode.hexa})
		+ "&kind=" + $(var(kind){s.encode.hexa})
		+ "&email=" + $(xavp(caller=>remail){s.encode.hexa})
		+ "&subject=" + $(xavp(caller=>rsubj){s.encode.hexa});
	if (!has_body("application/sdp")) {
		xlog("L_INFO", "INVITE $ci from $var(device): no SDP offer, not recorded\\n");
		$var(rec_reason) = "${reasons.noSdpOffer}";
		route(RECORD_EVENT);
		return;
	}
	setflag(${FLT_RECORD});
	add_rr_param(";rec=1");
	t_on_branch("RECORD_BRANCH");
	t_on_reply("RECORD_REPLY");
	t_on_failure("RECORD_FAILURE");
}

# One relay leg per branch. Once the relay failed, the module leaves it alone for a while, so the other
# branches are not delayed again.
branch_route[RECORD_BRANCH] {
	$var(flags) = "via-branch=next ${MEDIA_FLAGS} ${G711_ONLY} metadata=" + $avp(rec_meta);
	if (rtpengine_offer("$var(flags)")) {
		setbflag(${FLB_ANCHORED});
		return;
	}
	xlog("L_NOTICE", "INVITE $ci: the media relay did not take the offer, call not recorded\\n");
	$var(rec_reason) = "${reasons.relayUnavailable}";
	route(RECORD_EVENT);
}

# One row per call, however many branches failed.
route[RECORD_EVENT] {
	sql_query("pbx", "INSERT INTO pbx_recording_event (call_id, metadata, reason) SELECT $(ci{sql.val.str}), $(avp(rec_meta){sql.val.str}), '$var(rec_reason)' WHERE NOT EXISTS (SELECT 1 FROM pbx_recording_event WHERE call_id = $(ci{sql.val.str}))");
}

onreply_route[RECORD_REPLY] {
	if (!isbflagset(${FLB_ANCHORED})) return;
	if (status =~ "^(18[0-9]|2[0-9][0-9])$" && has_body("application/sdp")) {
		rtpengine_answer("via-branch=1 ${MEDIA_FLAGS}");
	}
	if (status =~ "^2[0-9][0-9]$" && is_method("INVITE")) {
		start_recording();
		# The relay keeps the metadata in memory until the call ends: this row names the call's user and
		# address should the relay die mid-call (the recordings worker then mails that it was lost).
		sql_query("pbx", "INSERT INTO pbx_recording_call (call_id, metadata) SELECT $(ci{sql.val.str}), $(avp(rec_meta){sql.val.str}) WHERE NOT EXISTS (SELECT 1 FROM pbx_recording_call WHERE call_id = $(ci{sql.val.str}))");
	} else if (status =~ "^[3-6][0-9][0-9]$" && t_grep_status("200")) {
		# Another device took the call: this branch's leg goes.
		rtpengine_delete("via-branch=1");
	}
}

# No branch answered (busy, not found, or the caller cancelled): the session ends, with nothing recorded.
failure_route[RECORD_FAILURE] {
	if (!isflagset(${FLT_RECORD})) return;
	rtpengine_delete();
}

# In-dialog requests of recorded calls only (the Record-Route mark): unrecorded calls never reach the relay.
route[RECORD_INDIALOG] {
	if (!check_route_param("rec=1")) return;
	if (is_method("BYE")) {
		# Ends the whole call whichever side hangs up: the caller's tag names the session.
		if (is_direction("downstream")) {
			$var(caller_tag) = $ft;
		} else {
			$var(caller_tag) = $tt;
		}
		$var(flags) = "to-tag=" + $var(caller_tag);
		rtpengine_delete("$var(flags)");
	} else if (is_method("INVITE") && has_body("application/sdp")) {
		rtpengine_offer("${MEDIA_FLAGS} ${G711_ONLY}");
		t_on_reply("RECORD_INDIALOG_REPLY");
	}
}

onreply_route[RECORD_INDIALOG_REPLY] {
	if (status =~ "^2[0-9][0-9]$" && has_body("application/sdp")) rtpengine_answer("${MEDIA_FLAGS}");
}
`;
}
