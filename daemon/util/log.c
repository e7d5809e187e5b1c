/* Leveled logging to stderr or syslog; no timestamps (the supervisor adds them). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "roneo/rn_limits.h"
#include "roneo/rn_log.h"

static const char *const level_names[] = { "err", "warn", "notice", "info", "debug" };
static const int	 syslog_prio[] = { LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG };

static struct {
	char		  role[16];
	enum rn_log_level level;
	bool		  use_syslog;
} logstate = { "roneod", RN_LOG_NOTICE, false };

void
rn_log_set_role(const char *role)
{
	snprintf(logstate.role, sizeof(logstate.role), "%s", role);
}

void
rn_log_init(const char *role, enum rn_log_level level, bool use_syslog)
{
	rn_log_set_role(role);
	logstate.level = level;
	if (use_syslog && !logstate.use_syslog)
		openlog("roneod", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	else if (!use_syslog && logstate.use_syslog)
		closelog();
	logstate.use_syslog = use_syslog;
}

void
rn_log_set_level(enum rn_log_level level)
{
	logstate.level = level;
}

bool
rn_log_level_parse(const char *s, enum rn_log_level *out)
{
	size_t i;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum rn_log_level)i;
			return true;
		}
	}
	return false;
}

const char *
rn_log_level_name(enum rn_log_level level)
{
	if ((unsigned)level > RN_LOG_DEBUG)
		return "?";
	return level_names[level];
}

static void vlog(enum rn_log_level level, const char *suffix, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static void
vlog(enum rn_log_level level, const char *suffix, const char *fmt, va_list ap)
{
	char line[RN_LOG_MAX_LINE];
	int  n;

	if ((unsigned)level > (unsigned)logstate.level)
		return;
	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		return;
	if (logstate.use_syslog)
		syslog(syslog_prio[level], "%s: %s%s", logstate.role, line, suffix);
	else
		fprintf(stderr, "roneod[%s]: %s: %s%s\n", logstate.role, level_names[level], line,
		    suffix);
}

void
rn_log(enum rn_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, "", fmt, ap);
	va_end(ap);
}

void
rn_log_errno(enum rn_log_level level, const char *fmt, ...)
{
	char	suffix[128];
	va_list ap;
	int	saved = errno;

	snprintf(suffix, sizeof(suffix), ": %s", strerror(saved));
	va_start(ap, fmt);
	vlog(level, suffix, fmt, ap);
	va_end(ap);
	errno = saved;
}

bool
rn_log_ratelimited(struct rn_log_rate *slot, unsigned per_min)
{
	struct timespec ts;
	unsigned long	minute;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	minute = (unsigned long)ts.tv_sec / 60u;
	if (slot->minute != minute) {
		slot->minute = minute;
		slot->count = 0;
	}
	if (slot->count >= per_min)
		return false;
	slot->count++;
	return true;
}
