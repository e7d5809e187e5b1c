/*
 * Codename derivations off the event loop.  scrypt with the codename
 * parameters costs ~60 ms and 16 MiB; run on the loop it would stall every
 * other connection for that long.  RN_CODENAME_MAX_INFLIGHT worker threads
 * (started before the sandbox is installed) take jobs from a bounded queue;
 * a finished job goes on a done list and one byte on a pipe wakes the loop,
 * which hands it back to its requester.  The threads touch nothing but the
 * job's struct rn_codename and the two lists, under one mutex.
 *
 * scrypt's 16 MiB block (OpenSSL mallocs it) would, once freed, raise glibc's
 * dynamic mmap threshold, and every later block of that size would then come
 * from the worker thread's arena and stay there after free: 16 MiB of RSS per
 * worker for good (test_dropbox_resources.py saw a 1 GiB upload "grow" the
 * child by 16 MiB).  Fixing the threshold at glibc's default keeps large
 * blocks in mmap, given back to the system when freed.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/queue.h>
#include <unistd.h>

#include <event2/event.h>

#include "inbox/dropbox.h"
#include "roneo/rn_log.h"

#define MMAP_THRESHOLD (128 * 1024) /* glibc's default, made fixed */

struct rn_derive_job {
	TAILQ_ENTRY(rn_derive_job) entry;
	struct rn_derive   *dv;
	struct rn_codename *c;
	rn_derive_done_fn   done;
	void		   *arg;
	enum rn_err	    err;
	bool		    taken; /* a worker took it off the queue (under mu) */
	bool		    cancelled;
};
TAILQ_HEAD(job_list, rn_derive_job);

struct rn_derive {
	pthread_mutex_t mu;
	pthread_cond_t	cv;
	struct job_list queue, finished;
	size_t		queued;
	bool		stopping;
	size_t		nthreads;
	pthread_t	threads[RN_CODENAME_MAX_INFLIGHT];
	int		pipe[2];
	struct event   *ev;
};

static void *
worker(void *arg)
{
	struct rn_derive     *dv = arg;
	struct rn_derive_job *job;
	char		      one = 1;

	pthread_mutex_lock(&dv->mu);
	for (;;) {
		while (!dv->stopping && TAILQ_EMPTY(&dv->queue))
			pthread_cond_wait(&dv->cv, &dv->mu);
		if (dv->stopping)
			break;
		job = TAILQ_FIRST(&dv->queue);
		TAILQ_REMOVE(&dv->queue, job, entry);
		dv->queued--;
		job->taken = true;
		pthread_mutex_unlock(&dv->mu);
		job->err = rn_codename_derive(job->c);
		pthread_mutex_lock(&dv->mu);
		TAILQ_INSERT_TAIL(&dv->finished, job, entry);
		/* The pipe holds far more than RN_CODENAME_MAX_QUEUE bytes. */
		if (write(dv->pipe[1], &one, 1) != 1)
			rn_log_err("codename worker: cannot wake the loop");
	}
	pthread_mutex_unlock(&dv->mu);
	return NULL;
}

static void
on_wake(evutil_socket_t fd, short what, void *arg)
{
	struct rn_derive     *dv = arg;
	struct job_list	      done;
	struct rn_derive_job *job;
	char		      buf[64];

	(void)what;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	TAILQ_INIT(&done);
	pthread_mutex_lock(&dv->mu);
	TAILQ_CONCAT(&done, &dv->finished, entry);
	pthread_mutex_unlock(&dv->mu);
	while ((job = TAILQ_FIRST(&done)) != NULL) {
		TAILQ_REMOVE(&done, job, entry);
		if (job->cancelled)
			rn_codename_free(job->c);
		else
			job->done(job->c, job->err, job->arg);
		free(job);
	}
}

enum rn_err
rn_derive_new(struct event_base *base, struct rn_derive **out)
{
	struct rn_derive *dv;
	size_t		  i;

	*out = NULL;
#ifdef __GLIBC__
	(void)mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD);
#endif
	if ((dv = calloc(1, sizeof(*dv))) == NULL)
		return RN_ERR_NOMEM;
	pthread_mutex_init(&dv->mu, NULL);
	pthread_cond_init(&dv->cv, NULL);
	TAILQ_INIT(&dv->queue);
	TAILQ_INIT(&dv->finished);
	dv->pipe[0] = dv->pipe[1] = -1;
	if (pipe2(dv->pipe, O_CLOEXEC | O_NONBLOCK) == -1 ||
	    (dv->ev = event_new(base, dv->pipe[0], EV_READ | EV_PERSIST, on_wake, dv)) == NULL ||
	    event_add(dv->ev, NULL) == -1) {
		rn_derive_free(dv);
		return RN_ERR_IO;
	}
	for (i = 0; i < RN_CODENAME_MAX_INFLIGHT; i++) {
		if (pthread_create(&dv->threads[i], NULL, worker, dv) != 0) {
			rn_derive_free(dv);
			return RN_ERR_IO;
		}
		dv->nthreads++;
	}
	*out = dv;
	return RN_OK;
}

void
rn_derive_free(struct rn_derive *dv)
{
	struct rn_derive_job *job;
	size_t		      i;

	if (dv == NULL)
		return;
	pthread_mutex_lock(&dv->mu);
	dv->stopping = true;
	pthread_cond_broadcast(&dv->cv);
	pthread_mutex_unlock(&dv->mu);
	for (i = 0; i < dv->nthreads; i++)
		pthread_join(dv->threads[i], NULL);
	TAILQ_CONCAT(&dv->queue, &dv->finished, entry);
	while ((job = TAILQ_FIRST(&dv->queue)) != NULL) {
		TAILQ_REMOVE(&dv->queue, job, entry);
		rn_codename_free(job->c);
		free(job);
	}
	if (dv->ev != NULL)
		event_free(dv->ev);
	if (dv->pipe[0] != -1)
		close(dv->pipe[0]);
	if (dv->pipe[1] != -1)
		close(dv->pipe[1]);
	pthread_cond_destroy(&dv->cv);
	pthread_mutex_destroy(&dv->mu);
	free(dv);
}

enum rn_err
rn_derive_submit(struct rn_derive *dv, struct rn_codename *c, rn_derive_done_fn done, void *arg,
    struct rn_derive_job **jobp)
{
	struct rn_derive_job *job;

	*jobp = NULL;
	if ((job = calloc(1, sizeof(*job))) == NULL)
		return RN_ERR_NOMEM;
	job->dv = dv;
	job->c = c;
	job->done = done;
	job->arg = arg;
	pthread_mutex_lock(&dv->mu);
	if (dv->queued >= RN_CODENAME_MAX_QUEUE) {
		pthread_mutex_unlock(&dv->mu);
		free(job);
		return RN_ERR_BUSY;
	}
	TAILQ_INSERT_TAIL(&dv->queue, job, entry);
	dv->queued++;
	pthread_cond_signal(&dv->cv);
	pthread_mutex_unlock(&dv->mu);
	*jobp = job;
	return RN_OK;
}

/*
 * A job still waiting is taken off the queue and freed at once: requests
 * refused early (hostile or broken uploads) must not keep places in the
 * queue, or a burst of them makes everyone else's derivation "busy" (503).
 * A job a worker has taken finishes; on_wake() then frees it.  The flag is
 * only read and set on the loop thread.
 */
void
rn_derive_cancel(struct rn_derive_job *job)
{
	struct rn_derive *dv;
	bool		  waiting;

	if (job == NULL)
		return;
	dv = job->dv;
	pthread_mutex_lock(&dv->mu);
	if ((waiting = !job->taken)) {
		TAILQ_REMOVE(&dv->queue, job, entry);
		dv->queued--;
	} else
		job->cancelled = true;
	pthread_mutex_unlock(&dv->mu);
	if (waiting) {
		rn_codename_free(job->c);
		free(job);
	}
}
