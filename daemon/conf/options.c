/*
 * The option table of roneod.conf: one entry per field of struct rn_conf, in
 * the order of the man page.  The parser, rn_conf_dump(), rn_conf_new() and
 * the man-page check in tests/unit/test_conf.c all read this table, so an
 * option exists exactly when it has a row here.
 *
 * Defaults are written as they would be in a config file.  Where rn_limits.h
 * has an RN_DEF_* constant, the string below spells the same value (the
 * macros are not strings, so they cannot be pasted in); test_conf.c checks
 * that each parsed default equals its constant.  A LIST default holds its
 * values separated by newlines.
 */
#include <stddef.h>
#include <stdint.h>

#include "roneo/rn_conf.h"

#define KIB    UINT64_C(1024)
#define MIB    (UINT64_C(1024) * KIB)
#define GIB    (UINT64_C(1024) * MIB)
#define TIB    (UINT64_C(1024) * GIB)
#define MINUTE UINT64_C(60)
#define HOUR   (UINT64_C(60) * MINUTE)

#define OFF(f) offsetof(struct rn_conf, f)

static const struct rn_conf_option options[] = {
	{ "DataDirectory", RN_CONF_PATH, "/var/lib/roneo", OFF(data_directory), 0, 0, false,
	    "Directory holding the store, the inbox, the spool and relative unix sockets." },
	{ "User", RN_CONF_STRING, "roneo", OFF(user), 0, 0, false,
	    "Unprivileged user the children switch to when roneod is started as root." },
	{ "PublicDirectory", RN_CONF_PATH, NULL, OFF(public_directory), 0, 0, false,
	    "Directory of the rendered site served read-only; unset, it is DataDirectory/public." },
	{ "LogLevel", RN_CONF_LOGLEVEL, "notice", OFF(log_level), 0, 0, false,
	    "Least severe level logged: err, warn, notice, info or debug." },
	{ "SysLog", RN_CONF_BOOL, "0", OFF(syslog), 0, 0, false,
	    "Log to syslog instead of standard error when 1." },
	{ "ShutdownTimeout", RN_CONF_DURATION, "10 seconds", OFF(shutdown_timeout), 1, 10 * MINUTE,
	    false, "Time given to in-flight requests to finish on shutdown." },
	{ "Listen", RN_CONF_LIST, "127.0.0.1:8080\nunix:http.sock", OFF(listen), 0, 0, false,
	    "Address the HTTP child listens on: IPv4:PORT, [IPv6]:PORT, localhost:PORT or "
	    "unix:PATH; repeat for more." },
	{ "AllowNonLoopback", RN_CONF_BOOL, "0", OFF(allow_non_loopback), 0, 0, false,
	    "Permit Listen addresses outside 127.0.0.0/8 and ::1 when 1." },
	{ "HostName", RN_CONF_LIST, "localhost\n127.0.0.1", OFF(host_names), 0, 0, false,
	    "Host header value, without port, that requests may carry; repeat for more." },
	{ "MaxConnections", RN_CONF_UINT, "1024", OFF(max_connections), 1, 65536, false,
	    "Most client connections open at once; a further one is answered 503 and closed." },
	{ "HeaderTimeout", RN_CONF_DURATION, "10 seconds", OFF(header_timeout), 1, 10 * MINUTE,
	    false, "Time a client has to send a whole request head." },
	{ "IdleTimeout", RN_CONF_DURATION, "15 seconds", OFF(idle_timeout), 1, HOUR, false,
	    "Time a keep-alive connection may wait for its next request." },
	{ "WriteTimeout", RN_CONF_DURATION, "30 seconds", OFF(write_timeout), 1, HOUR, false,
	    "Time a response may make no write progress before the connection closes." },
	{ "BodyMinRate", RN_CONF_SIZE, "1 KiB", OFF(body_min_rate), 0, GIB, false,
	    "Slowest request body upload, in bytes per second averaged over BodyRateWindow; "
	    "0 disables the check." },
	{ "BodyRateWindow", RN_CONF_DURATION, "10 seconds", OFF(body_rate_window), 1, 10 * MINUTE,
	    false, "Period over which BodyMinRate is averaged." },
	{ "MaxRequestLine", RN_CONF_SIZE, "8 KiB", OFF(max_request_line), 256, 64 * KIB, false,
	    "Longest request line; it may not exceed MaxHeaderBytes." },
	{ "MaxHeaderBytes", RN_CONF_SIZE, "16 KiB", OFF(max_header_bytes), KIB,
	    RN_MAX_HTTP_HEADER_BYTES, false, "Largest request head, request line included." },
	{ "MaxHeaders", RN_CONF_UINT, "64", OFF(max_headers), 1, RN_MAX_HTTP_HEADERS, false,
	    "Most header fields in one request." },
	{ "MaxBodySize", RN_CONF_SIZE, "1 MiB", OFF(max_body), 0, TIB, false,
	    "Largest request body for routes without a limit of their own; 0 refuses bodies." },
	{ "MaxRequestsPerConnection", RN_CONF_UINT, "1000", OFF(max_requests_per_conn), 1, 1000000,
	    false, "Requests served on one connection before it is closed." },
	{ "EditorListen", RN_CONF_LIST, "unix:editor.sock", OFF(editor_listen), 0, 0, false,
	    "Address the editor API listens on, in the forms of Listen; the editor onion forwards "
	    "to it." },
	{ "Editor", RN_CONF_LIST, NULL, OFF(editors), 0, 0, false,
	    "An editor: the minisign public key that signs the editor's requests and the age "
	    "recipient submissions are sealed to; repeat for each editor." },
	{ "InboxMaxFileSize", RN_CONF_SIZE, "500 MiB", OFF(inbox_max_file), 1, TIB, false,
	    "Largest file in a submission." },
	{ "InboxMaxSubmissionSize", RN_CONF_SIZE, "2 GiB", OFF(inbox_max_submission), 1, 4 * TIB,
	    false, "Largest submission, message and files together, as sent." },
	{ "InboxMaxFiles", RN_CONF_UINT, "20", OFF(inbox_max_files), 0, RN_INBOX_MAX_FILES, false,
	    "Most files in one submission." },
	{ "InboxMaxMessageSize", RN_CONF_SIZE, "256 KiB", OFF(inbox_max_message), 1,
	    RN_INBOX_MAX_MESSAGE, false, "Longest message in a submission." },
	{ "InboxMaxConcurrentUploads", RN_CONF_UINT, "16", OFF(inbox_max_uploads), 1, 4096, false,
	    "Most submissions being received at once; a further one is answered 503." },
	{ "InboxMaxBytes", RN_CONF_SIZE, "100 GiB", OFF(inbox_max_bytes), 1, 1024 * TIB, false,
	    "Most bytes of sealed submissions and uploads in progress together." },
	{ "InboxDiskReserve", RN_CONF_SIZE, "1 GiB", OFF(inbox_disk_reserve), 0, 1024 * TIB, false,
	    "Free space the inbox file system keeps; an upload that would eat into it is "
	    "refused." },
	{ "InboxHoneypot", RN_CONF_BOOL, "1", OFF(inbox_honeypot), 0, 0, false,
	    "Refuse submissions that fill the hidden form field meant only for robots when 1." },
	{ "InboxRetentionDays", RN_CONF_UINT, "0", OFF(inbox_retention_days), 0, 36500, false,
	    "Delete sealed submissions and replies this many days after they arrive; 0 keeps them "
	    "until an editor deletes them." },
	{ "CodenameAttemptsPerMinute", RN_CONF_UINT, "30", OFF(codename_attempts), 1, 6000, false,
	    "Most codenames checked per minute in all; further attempts are answered 429." },
	{ "TorMode", RN_CONF_STRING, "launch", OFF(tor_mode), 0, 0, false,
	    "How roneod reaches Tor: launch its own tor, control a running tor, read the address "
	    "of a system tor's onion, or off." },
	{ "TorBinary", RN_CONF_STRING, "tor", OFF(tor_binary), 0, 0, false,
	    "The tor program launch mode starts, an absolute path or a name looked up in PATH." },
	{ "TorControl", RN_CONF_STRING, "unix:/run/tor/control", OFF(tor_control), 0, 0, false,
	    "The control port of a running tor, unix:PATH or 127.0.0.1:PORT, for control and "
	    "system modes." },
	{ "TorSocksPort", RN_CONF_STRING, "auto", OFF(tor_socks_port), 0, 0, false,
	    "The SOCKS port of the tor launch mode starts: auto, 0 for none, or a port on "
	    "127.0.0.1." },
	{ "TorInclude", RN_CONF_LIST, NULL, OFF(tor_include), 0, 0, false,
	    "A torrc fragment, by absolute path, that launch mode includes in its generated torrc; "
	    "repeat for more." },
	{ "TorHiddenServiceDir", RN_CONF_PATH, "/var/lib/tor/roneo", OFF(tor_hidden_service_dir), 0,
	    0, false, "The HiddenServiceDir of the system tor's onion, read in system mode." },
	{ "OnionPoW", RN_CONF_BOOL, "1", OFF(onion_pow), 0, 0, false,
	    "Turn on Tor's proof-of-work defense against denial of service on the public onion "
	    "when 1." },
	{ "EditorClientAuth", RN_CONF_LIST, NULL, OFF(editor_client_auth), 0, 0, false,
	    "An x25519 public key, in base32, allowed to reach the editor onion; repeat for each "
	    "editor device.  Without any, no editor onion is made." },
	{ "OnionListen", RN_CONF_LIST, "unix:onion.sock", OFF(onion_listen), 0, 0, false,
	    "Address the public onion forwards to, in the forms of Listen: the public site, whose "
	    "connections begin with Tor's PROXY header naming the client's circuit." },
	{ "CircuitMaxRequestsPerSecond", RN_CONF_UINT, "10", OFF(circuit_max_requests), 0,
	    RN_MAX_CIRCUIT_RATE, false,
	    "Requests per second one Tor circuit may make on OnionListen, with bursts of twice "
	    "that; more are answered 429; 0 disables the limit." },
	{ "CircuitMaxConnections", RN_CONF_UINT, "16", OFF(circuit_max_connections), 0, 65536,
	    false,
	    "Connections one Tor circuit may have open on OnionListen; a further one is closed; "
	    "0 disables the limit." },
	{ "CircuitMaxUploads", RN_CONF_UINT, "2", OFF(circuit_max_uploads), 0, 4096, false,
	    "Submissions one Tor circuit may be uploading at once; a further one is answered 429; "
	    "0 disables the limit." },
	{ "CircuitMaxCodenameAttemptsPerMinute", RN_CONF_UINT, "5", OFF(circuit_codename_attempts),
	    0, 6000, false,
	    "Codenames one Tor circuit may try per minute; further attempts are answered 429; 0 "
	    "disables the limit." },
};

const struct rn_conf_option *
rn_conf_options(size_t *n)
{
	if (n != NULL)
		*n = RN_ARRAY_LEN(options);
	return options;
}
