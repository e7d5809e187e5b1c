/*
 * Logging by level.  Lines go to stderr (or syslog) prefixed with the process
 * role.  Never pass client addresses, user agents, request targets of
 * submissions or other client-derived text without rn_escape_untrusted(), and
 * rate-limit anything a remote party can trigger with rn_log_ratelimited().
 */
#ifndef RN_LOG_H
#define RN_LOG_H

#include <stdbool.h>

enum rn_log_level { RN_LOG_ERR = 0, RN_LOG_WARN, RN_LOG_NOTICE, RN_LOG_INFO, RN_LOG_DEBUG };

void rn_log_init(const char *role, enum rn_log_level level, bool use_syslog);
void rn_log_set_level(enum rn_log_level level);
void rn_log_set_role(const char *role);
/* Parses "err", "warn", "notice", "info", "debug". */
bool	    rn_log_level_parse(const char *s, enum rn_log_level *out);
const char *rn_log_level_name(enum rn_log_level level);

void rn_log(enum rn_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* As rn_log, with ": strerror(errno)" appended. */
void rn_log_errno(enum rn_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * For events a remote party can cause: true at most `per_min` times a
 * minute for this *slot (a static counter at the call site).
 */
struct rn_log_rate {
	unsigned long minute;
	unsigned      count;
};
bool rn_log_ratelimited(struct rn_log_rate *slot, unsigned per_min);

#define rn_log_err(...)	   rn_log(RN_LOG_ERR, __VA_ARGS__)
#define rn_log_warn(...)   rn_log(RN_LOG_WARN, __VA_ARGS__)
#define rn_log_notice(...) rn_log(RN_LOG_NOTICE, __VA_ARGS__)
#define rn_log_info(...)   rn_log(RN_LOG_INFO, __VA_ARGS__)
#define rn_log_debug(...)  rn_log(RN_LOG_DEBUG, __VA_ARGS__)

#endif
