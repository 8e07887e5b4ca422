/**
 * Renders the Kamailio configuration: a registrar on one loopback UDP port that authenticates REGISTER
 * and INVITE against the `subscriber` table (HA1 digests) and routes calls by the dial plan, reading the
 * `pbx_*` tables on every call so a new revision takes effect with no reload.
 *
 * Dial plan, in the order the script checks it:
 *  - an emergency number (999, 112): always allowed, to the trunk;
 *  - a device not linked to a user may dial nothing else (403);
 *  - an extension (2–5 digits): every registered device of that user rings (parallel fork);
 *  - 6–8 digits, no leading 0: local; the caller's area prefix is put in front, to the trunk;
 *  - leading + or 00: international; leading 0: national; both to the trunk;
 *  - a trunk destination the caller's call plan does not allow is refused with 403 and a reason phrase.
 * Calls to the trunk carry the caller's caller ID in P-Asserted-Identity; whatever identity header the
 * device sent is removed first.
 *
 * With a media relay, a recording user's accepted calls (extensions and trunk, never emergency numbers)
 * are anchored through it and recorded: config-recording.ts renders those routes.
 */

import { EMERGENCY_NUMBERS, EXTENSION_PATTERN } from "../schemas/user.ts";
import { renderRecordingRoutes, renderRelayModule } from "./config-recording.ts";
import type { RelayAddress } from "./config-recording.ts";
import type { RegistrarDatabase } from "./store-contract.ts";

export interface KamailioConfigOptions {
  /** Loopback address to listen on, e.g. 127.0.0.1. */
  host: string;
  port: number;
  /** Digest realm; HA1 digests in `subscriber` must be computed with it. */
  realm: string;
  /** The registrar's tables: an absolute SQLite path, or a PostgreSQL URL (postgres://user:pass@host:port/db). */
  database: RegistrarDatabase;
  /** Absolute path of the binrpc control socket (`kamcmd -s unix:<path>`). */
  ctlSocket: string;
  /** Where trunk calls (emergency, local, national, international) go; null refuses them with 503. */
  trunk: { host: string; port: number } | null;
  /** Worker processes for the UDP socket. */
  children: number;
  /** Kamailio log level: 1 notices, 2 also info (each refusal and call decision), 3 debug. */
  logLevel: number;
  /** The media relay recording users' calls go through; null: no recording, no relay module loaded. */
  relay: RelayAddress | null;
}

/** Characters that would end a quoted string or a line in kamailio.cfg. */
const UNSAFE = /["\\\r\n]/;

/**
 * A schema pattern as a quoted kamailio.cfg regular expression (POSIX extended, which reads these simple
 * patterns as JavaScript does). A backslash would be read as an escape in the quoted string: refused.
 */
function cfgRegex(pattern: RegExp): string {
  if (pattern.flags !== "" || UNSAFE.test(pattern.source))
    throw new Error(`pattern ${String(pattern)} cannot be written into kamailio.cfg`);
  return `"${pattern.source}"`;
}

/** The dialled numbers the dial plan tells apart by the user's rules (schemas/user.ts). */
const EMERGENCY = cfgRegex(new RegExp(`^(${EMERGENCY_NUMBERS.join("|")})$`));
const EXTENSION = cfgRegex(EXTENSION_PATTERN);

export function renderKamailioConfig(o: KamailioConfigOptions): string {
  const db =
    o.database.kind === "sqlite"
      ? { module: "db_sqlite", url: `sqlite:///${o.database.path}` }
      : { module: "db_postgres", url: o.database.url };
  for (const [name, value] of Object.entries({
    host: o.host,
    realm: o.realm,
    database: db.url,
    ctlSocket: o.ctlSocket,
  })) {
    if (UNSAFE.test(value)) throw new Error(`${name} must not contain quotes, backslashes or line breaks`);
  }
  if (!/^[A-Za-z0-9.-]+$/.test(o.realm)) throw new Error(`realm must be a host-like name: ${o.realm}`);
  if (o.relay !== null && !(/^[0-9A-Fa-f.:]+$/.test(o.relay.host) && Number.isInteger(o.relay.ngPort)))
    throw new Error(`the relay must be an IP address and a port, not ${o.relay.host}:${o.relay.ngPort}`);
  const recording = o.relay !== null;
  /** A line of the routing script that only exists when calls are recorded. */
  const ifRecording = (line: string): string => (recording ? line : "");
  const trunkRoute =
    o.trunk === null
      ? `\tsl_send_reply("503", "No Trunk Configured");\n\texit;`
      : `\t$ru = "sip:" + $var(number) + "@${o.trunk.host}:${o.trunk.port}";\n\tif (!t_relay()) sl_reply_error();\n\texit;`;

  return `#!KAMAILIO
# Rendered by pbx-estate registrar/config.ts on every start: edit the renderer, not this file.

debug=${o.logLevel}
log_stderror=yes
fork=yes
children=${o.children}
auto_aliases=no
dns=no
rev_dns=no
use_dns_cache=off
dns_try_naptr=no
disable_tcp=yes
listen=udp:${o.host}:${o.port}
alias="${o.realm}"
server_header="Server: pbx-estate registrar"
user_agent_header="User-Agent: pbx-estate registrar"

loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "ctl.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "${db.module}.so"
loadmodule "auth.so"
loadmodule "auth_db.so"
loadmodule "sqlops.so"

modparam("ctl", "binrpc", "unix:${o.ctlSocket}")
modparam("rr", "append_fromtag", 1)
# Registrations live in memory: a restarted registrar asks devices to register again.
modparam("usrloc", "db_mode", 0)
modparam("registrar", "max_expires", 3600)
modparam("auth_db", "db_url", "${db.url}")
modparam("auth_db", "calculate_ha1", 0)
modparam("auth_db", "password_column", "ha1")
modparam("auth_db", "use_domain", 0)
modparam("auth_db", "load_credentials", "")
modparam("sqlops", "sqlcon", "pbx=>${db.url}")
${o.relay === null ? "" : `\n${renderRelayModule(o.relay)}`}
request_route {
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	# Readiness probe: OPTIONS addressed to the registrar itself.
	if (is_method("OPTIONS") && uri == myself && $rU == $null) {
		sl_send_reply("200", "Ready");
		exit;
	}
	if (has_totag()) {
		route(WITHINDLG);
		exit;
	}
	if (is_method("CANCEL")) {
		if (t_check_trans()) t_relay();
		exit;
	}
	if (is_method("ACK")) {
		if (t_check_trans()) t_relay();
		exit;
	}
	# A retransmission of a request already being handled is absorbed here.
	if (t_precheck_trans()) {
		t_check_trans();
		exit;
	}
	t_check_trans();
	if (is_method("REGISTER")) {
		route(REGISTER);
		exit;
	}
	if (is_method("INVITE")) {
		route(INVITE);
		exit;
	}
	sl_send_reply("405", "Method Not Allowed");
}

route[WITHINDLG] {
	if (loose_route()) {
${ifRecording("\t\troute(RECORD_INDIALOG);\n")}		if (!t_relay()) sl_reply_error();
		exit;
	}
	if (is_method("ACK")) {
		if (t_check_trans()) t_relay();
		exit;
	}
	sl_send_reply("404", "Not Here");
	exit;
}

route[REGISTER] {
	if (!auth_check("${o.realm}", "subscriber", "1")) {
		xlog("L_INFO", "REGISTER $tu refused ($rc)\\n");
		auth_challenge("${o.realm}", "1");
		exit;
	}
	consume_credentials();
	if (!save("location")) sl_reply_error();
	exit;
}

route[INVITE] {
	if (!auth_check("${o.realm}", "subscriber", "1")) {
		auth_challenge("${o.realm}", "1");
		exit;
	}
	$var(device) = $au;
	consume_credentials();
	# Identity is asserted by the registrar, never taken from the device.
	remove_hf("P-Asserted-Identity");
	remove_hf("P-Preferred-Identity");
	record_route();

	sql_xquery("pbx", "SELECT u.id AS uid, u.extension AS ext, u.area_prefix AS area, u.caller_id AS cid, u.call_plan AS plan${ifRecording(", u.recording_email AS remail, u.recording_subject AS rsubj")} FROM pbx_device d JOIN pbx_user u ON u.id = d.user_id WHERE d.sip_username = $(var(device){sql.val.str})", "caller");
	$var(dest) = $rU;
	xlog("L_INFO", "INVITE from $var(device) (user $xavp(caller=>uid)) to $var(dest)\\n");

	if ($var(dest) =~ ${EMERGENCY}) {
		$var(number) = $var(dest);
		route(TRUNK);
	}
	if ($xavp(caller=>uid) == $null) {
		sl_send_reply("403", "Device Not Linked To A User");
		exit;
	}
	if ($var(dest) =~ ${EXTENSION}) {
		route(EXTENSION);
	}
	if ($var(dest) =~ "^[1-9][0-9]{5,7}$") {
		$var(kind) = "local";
		$var(label) = "Local";
		$var(number) = $xavp(caller=>area) + $var(dest);
	} else if ($var(dest) =~ "^([+]|00)[1-9][0-9]{5,14}$") {
		$var(kind) = "international";
		$var(label) = "International";
		$var(number) = $var(dest);
	} else if ($var(dest) =~ "^0[1-9][0-9]{5,13}$") {
		$var(kind) = "national";
		$var(label) = "National";
		$var(number) = $var(dest);
	} else {
		sl_send_reply("484", "Address Incomplete");
		exit;
	}
	sql_xquery("pbx", "SELECT destination AS allowed FROM pbx_call_plan_destination WHERE call_plan = $(xavp(caller=>plan){sql.val.str}) AND destination = '$var(kind)'", "plan");
	if ($xavp(plan=>allowed) == $null) {
		xlog("L_INFO", "INVITE from $var(device): $var(kind) call to $var(dest) not in call plan $xavp(caller=>plan)\\n");
		$var(reason) = $var(label) + " Calls Not In Call Plan";
		sl_send_reply("403", "$var(reason)");
		exit;
	}
${ifRecording("\troute(RECORD);\n")}	route(TRUNK);
}

# Rings every registered device linked to the user who has the dialled extension.
route[EXTENSION] {
	sql_xquery("pbx", "SELECT u.id AS uid, d.sip_username AS dev FROM pbx_user u LEFT JOIN pbx_device d ON d.user_id = u.id WHERE u.extension = '$var(dest)'", "callee");
	if ($xavp(callee=>uid) == $null) {
		sl_send_reply("404", "Extension Not Found");
		exit;
	}
	append_hf("P-Asserted-Identity: <sip:$xavp(caller=>ext)@${o.realm}>\\r\\n");
	$var(i) = 0;
	while ($xavp(callee[$var(i)]=>dev) != $null) {
		$var(aor) = "sip:" + $xavp(callee[$var(i)]=>dev) + "@${o.realm}";
		if ($var(i) == 0) {
			$ru = $var(aor);
		} else {
			append_branch("$var(aor)");
		}
		$var(i) = $var(i) + 1;
	}
	if ($var(i) == 0 || !lookup_branches("location")) {
		sl_send_reply("480", "No Device Registered");
		exit;
	}
${ifRecording('\t$var(kind) = "extension";\n\t$var(number) = $var(dest);\n\troute(RECORD);\n')}	if (!t_relay()) sl_reply_error();
	exit;
}

# Sends $var(number) to the trunk with the caller's caller ID.
route[TRUNK] {
	if ($xavp(caller=>cid) != $null) {
		append_hf("P-Asserted-Identity: <sip:$xavp(caller=>cid)@${o.realm};user=phone>\\r\\n");
	}
${trunkRoute}
}
${recording ? renderRecordingRoutes() : ""}`;
}
