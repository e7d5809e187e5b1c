/*
 * A seccomp filter per child role: an allowlist of system calls, anything
 * else kills the process (the parent logs it and restarts the child).  The
 * http child needs only its event loop, sockets it was handed or accepted,
 * reading files under PublicDirectory, and memory.  Sanitizer builds skip
 * the filter: their runtimes need calls no production build makes.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "roneo/rn_log.h"
#include "roneo/rn_proc.h"

#if defined(__x86_64__)
#define SANDBOX_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SANDBOX_ARCH AUDIT_ARCH_AARCH64
#endif

#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_SKIP "ASan"
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_SKIP "ASan"
#endif
#endif

#define MAX_CALLS 96u

/* The http child: libevent (epoll), accept/read/write/sendfile, IPC, files. */
static const long http_calls[] = {
	SYS_read,
	SYS_readv,
	SYS_write,
	SYS_writev,
	SYS_pread64,
	SYS_sendfile,
	SYS_recvfrom,
	SYS_recvmsg,
	SYS_sendto,
	SYS_sendmsg,
	SYS_accept4,
	SYS_shutdown,
	SYS_close,
	SYS_getsockopt,
	SYS_setsockopt,
	SYS_getsockname,
	SYS_fcntl,
	SYS_ioctl,
	SYS_openat,
	SYS_newfstatat,
	SYS_fstat,
	SYS_lseek,
	SYS_epoll_wait,
	SYS_epoll_pwait,
	SYS_epoll_ctl,
	SYS_clock_gettime,
	SYS_gettimeofday,
	SYS_getpid,
	SYS_gettid,
	SYS_getrandom,
	SYS_mmap,
	SYS_munmap,
	SYS_mremap,
	SYS_madvise,
	SYS_brk,
	SYS_mprotect,
	SYS_rt_sigprocmask,
	SYS_rt_sigreturn,
	SYS_rt_sigaction,
	SYS_restart_syscall,
	SYS_futex,
	SYS_exit,
	SYS_exit_group,
	/* The drop-box: spool files, renames, fsync, SQLite (WAL), codename workers. */
	SYS_pwrite64,
	SYS_fsync,
	SYS_fdatasync,
	SYS_ftruncate,
	SYS_renameat,
	SYS_unlinkat,
	SYS_unlink,
	SYS_fstatfs,
	SYS_statfs,
	SYS_access,
	SYS_faccessat,
	SYS_geteuid,
	SYS_getuid,
	SYS_sched_yield,
	SYS_nanosleep,
	SYS_clock_nanosleep,
	SYS_set_robust_list,
#ifdef SYS_renameat2
	SYS_renameat2,
#endif
#ifdef SYS_faccessat2
	SYS_faccessat2,
#endif
#ifdef SYS_rseq
	SYS_rseq,
#endif
#ifdef SYS_epoll_pwait2
	SYS_epoll_pwait2,
#endif
#ifdef SYS_fstatat64
	SYS_fstatat64,
#endif
#ifdef SYS_statx
	SYS_statx,
#endif
};

/*
 * The keeper (daemon/keeper/): its event loop and link, files under
 * DataDirectory and PublicDirectory (the object store, the site, renames,
 * fsync), SQLite (the search index) and memory.  No socket of its own.
 */
static const long keeper_calls[] = {
	SYS_read,
	SYS_write,
	SYS_pread64,
	SYS_pwrite64,
	SYS_recvmsg,
	SYS_sendmsg,
	SYS_close,
	SYS_fcntl,
	SYS_openat,
	SYS_newfstatat,
	SYS_fstat,
	SYS_lseek,
	SYS_getdents64,
	SYS_mkdirat,
	SYS_renameat,
	SYS_unlinkat,
	SYS_faccessat,
	SYS_fsync,
	SYS_fdatasync,
	SYS_ftruncate,
	SYS_fchmod,
	SYS_syncfs,
	SYS_fstatfs,
	SYS_statfs,
	SYS_getcwd,
	SYS_ppoll,
	SYS_epoll_wait,
	SYS_epoll_pwait,
	SYS_epoll_ctl,
	SYS_clock_gettime,
	SYS_gettimeofday,
	SYS_getpid,
	SYS_gettid,
	SYS_geteuid,
	SYS_getuid,
	SYS_getrandom,
	SYS_mmap,
	SYS_munmap,
	SYS_mremap,
	SYS_madvise,
	SYS_brk,
	SYS_mprotect,
	SYS_rt_sigprocmask,
	SYS_rt_sigreturn,
	SYS_rt_sigaction,
	SYS_restart_syscall,
	SYS_futex,
	SYS_sched_yield,
	SYS_nanosleep,
	SYS_clock_nanosleep,
	SYS_exit,
	SYS_exit_group,
#ifdef SYS_renameat2
	SYS_renameat2,
#endif
#ifdef SYS_faccessat2
	SYS_faccessat2,
#endif
#ifdef SYS_rseq
	SYS_rseq,
#endif
#ifdef SYS_epoll_pwait2
	SYS_epoll_pwait2,
#endif
#ifdef SYS_statx
	SYS_statx,
#endif
#ifdef SYS_mkdir
	SYS_mkdir,
#endif
#ifdef SYS_rename
	SYS_rename,
#endif
#ifdef SYS_unlink
	SYS_unlink,
#endif
#ifdef SYS_rmdir
	SYS_rmdir,
#endif
#ifdef SYS_access
	SYS_access,
#endif
#ifdef SYS_readlink
	SYS_readlink,
#endif
#ifdef SYS_poll
	SYS_poll,
#endif
};

static const struct {
	const char *role;
	const long *calls;
	size_t	    ncalls;
} roles[] = {
	{ "http", http_calls, sizeof(http_calls) / sizeof(http_calls[0]) },
	{ "keeper", keeper_calls, sizeof(keeper_calls) / sizeof(keeper_calls[0]) },
};

#define STMT(code, k)	((struct sock_filter)BPF_STMT((code), (k)))
#define JUMP(k, jt, jf) ((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (jt), (jf)))

#if !defined(SANDBOX_SKIP) && defined(SANDBOX_ARCH)
/* Wrong architecture: kill.  Then one comparison per allowed call. */
static enum rn_err
install(const char *role, const long *calls, size_t ncalls)
{
	struct sock_filter f[MAX_CALLS + 8];
	struct sock_fprog  prog;
	size_t		   i, n = 0;

	if (ncalls > MAX_CALLS)
		return RN_ERR_INVAL;
	f[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	f[n++] = JUMP(SANDBOX_ARCH, 1, 0);
	f[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	f[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	for (i = 0; i < ncalls; i++)
		f[n++] = JUMP((unsigned)calls[i], (unsigned char)(ncalls - i), 0);
	f[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	f[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog.len = (unsigned short)n;
	prog.filter = f;
	/* TSYNC: threads started before (the codename workers) get the filter too. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog) != 0) {
		rn_log_errno(RN_LOG_WARN, "seccomp filter for the %s child not installed", role);
		return errno == EINVAL ? RN_OK : RN_ERR_PERM;
	}
	return RN_OK;
}
#endif

enum rn_err
rn_proc_sandbox(const char *role)
{
	size_t r;

	for (r = 0; r < sizeof(roles) / sizeof(roles[0]); r++)
		if (strcmp(roles[r].role, role) == 0)
			break;
	if (r == sizeof(roles) / sizeof(roles[0]))
		return RN_ERR_INVAL;
#if defined(SANDBOX_SKIP)
	rn_log_info("no seccomp filter for the %s child: built with %s", role, SANDBOX_SKIP);
	return RN_OK;
#elif !defined(SANDBOX_ARCH)
	rn_log_warn("no seccomp filter for the %s child: unknown architecture", role);
	return RN_OK;
#else
	return install(role, roles[r].calls, roles[r].ncalls);
#endif
}
