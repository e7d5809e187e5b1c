/*
 * The object store: a directory of frames (objects/XX/<62 hex digits>,
 * written durably through rn_file_write_atomic) or a table in memory.  A
 * memory store may sit over up to two read-only bases (an overlay): reads
 * fall through to them and objects read there are kept, so a verifier can
 * stage everything it used and wrote, then flush it in one go on success.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "coll_int.h"
#include "roneo/rn_coll.h"

#define FRAME_MAX (RN_COLL_MAX_OBJECT + 32u)

struct memobj {
	uint8_t	 id[RN_COLL_ID_LEN];
	uint8_t	 type; /* 0: free slot */
	uint8_t *data;
	size_t	 len;
	uint8_t *frame; /* the frame it was read from, when it came from a disk store */
	size_t	 flen;
};

struct memtab {
	struct memobj *slots;
	size_t	       cap; /* a power of two */
	size_t	       n;
};

struct rn_coll_store {
	char			   *dir; /* NULL: in memory */
	struct memtab		   *mem;
	const struct rn_coll_store *base[2];
};

static size_t
slot_of(const uint8_t id[RN_COLL_ID_LEN], size_t cap)
{
	uint64_t h = 0;
	int	 i;

	for (i = 0; i < 8; i++)
		h = (h << 8) | id[i];
	return (size_t)(h & (cap - 1));
}

static struct memobj *
mem_find(const struct memtab *t, const uint8_t id[RN_COLL_ID_LEN])
{
	size_t i;

	if (t->cap == 0)
		return NULL;
	for (i = slot_of(id, t->cap);; i = (i + 1) & (t->cap - 1)) {
		if (t->slots[i].type == 0)
			return NULL;
		if (memcmp(t->slots[i].id, id, RN_COLL_ID_LEN) == 0)
			return &t->slots[i];
	}
}

static enum rn_err
mem_grow(struct memtab *t)
{
	struct memobj *old = t->slots, *nw;
	size_t	       oldcap = t->cap, cap = t->cap ? t->cap * 2 : 64, i, j;

	if ((nw = calloc(cap, sizeof(*nw))) == NULL)
		return RN_ERR_NOMEM;
	for (i = 0; i < oldcap; i++) {
		if (old[i].type == 0)
			continue;
		for (j = slot_of(old[i].id, cap); nw[j].type != 0; j = (j + 1) & (cap - 1))
			;
		nw[j] = old[i];
	}
	free(old);
	t->slots = nw;
	t->cap = cap;
	return RN_OK;
}

static enum rn_err
mem_put(struct memtab *t, const uint8_t id[RN_COLL_ID_LEN], enum rn_coll_type type, const void *p,
    size_t len)
{
	struct memobj *o;
	size_t	       i;
	enum rn_err    err;

	if (mem_find(t, id) != NULL)
		return RN_OK;
	if ((t->n + 1) * 4 > t->cap * 3 && (err = mem_grow(t)) != RN_OK)
		return err;
	for (i = slot_of(id, t->cap); t->slots[i].type != 0; i = (i + 1) & (t->cap - 1))
		;
	o = &t->slots[i];
	if ((o->data = malloc(len ? len : 1)) == NULL)
		return RN_ERR_NOMEM;
	if (len > 0)
		memcpy(o->data, p, len);
	memcpy(o->id, id, RN_COLL_ID_LEN);
	o->len = len;
	o->type = (uint8_t)type;
	t->n++;
	return RN_OK;
}

/* Linear probing: shift later members of the cluster back into the hole. */
static void
mem_del(struct memtab *t, struct memobj *o)
{
	size_t i = (size_t)(o - t->slots), j = i, k;

	free(o->data);
	free(o->frame);
	memset(o, 0, sizeof(*o));
	t->n--;
	for (;;) {
		j = (j + 1) & (t->cap - 1);
		if (t->slots[j].type == 0)
			return;
		k = slot_of(t->slots[j].id, t->cap);
		if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
			t->slots[i] = t->slots[j];
			memset(&t->slots[j], 0, sizeof(t->slots[j]));
			i = j;
		}
	}
}

static void
mem_free(struct memtab *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->cap; i++) {
		free(t->slots[i].data);
		free(t->slots[i].frame);
	}
	free(t->slots);
	free(t);
}

static enum rn_err
obj_path(const struct rn_coll_store *s, const uint8_t id[RN_COLL_ID_LEN], char *out, size_t sz,
    bool dir_only)
{
	char hex[RN_COLL_HEX_LEN + 1];
	int  n;

	rn_coll_id_format(id, hex);
	if (dir_only)
		n = snprintf(out, sz, "%s/objects/%.2s", s->dir, hex);
	else
		n = snprintf(out, sz, "%s/objects/%.2s/%s", s->dir, hex, hex + 2);
	return n < 0 || (size_t)n >= sz ? RN_ERR_TOOBIG : RN_OK;
}

static enum rn_err
mkdir_durable(const char *path)
{
	if (mkdir(path, 0700) == 0)
		return rn_file_fsync_parent(path);
	return errno == EEXIST ? RN_OK : RN_ERR_IO;
}

enum rn_err
rn_coll_store_open(const char *dir, struct rn_coll_store **out)
{
	struct rn_coll_store *s;
	char		      path[4096];
	int		      n;
	enum rn_err	      err;

	*out = NULL;
	n = snprintf(path, sizeof(path), "%s/objects", dir);
	if (n < 0 || (size_t)n >= sizeof(path) - 80)
		return RN_ERR_TOOBIG;
	if ((err = mkdir_durable(dir)) != RN_OK || (err = mkdir_durable(path)) != RN_OK)
		return err;
	if ((s = calloc(1, sizeof(*s))) == NULL || (s->dir = strdup(dir)) == NULL) {
		free(s);
		return RN_ERR_NOMEM;
	}
	*out = s;
	return RN_OK;
}

enum rn_err
rn_coll_store_new_mem(struct rn_coll_store **out)
{
	struct rn_coll_store *s;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL || (s->mem = calloc(1, sizeof(*s->mem))) == NULL) {
		free(s);
		return RN_ERR_NOMEM;
	}
	*out = s;
	return RN_OK;
}

enum rn_err
rn_coll_store_new_overlay(
    const struct rn_coll_store *a, const struct rn_coll_store *b, struct rn_coll_store **out)
{
	enum rn_err err;

	if ((err = rn_coll_store_new_mem(out)) != RN_OK)
		return err;
	(*out)->base[0] = a;
	(*out)->base[1] = b;
	return RN_OK;
}

enum rn_err
rn_coll_store_new_stage(const struct rn_coll_store *base, struct rn_coll_store **out)
{
	return rn_coll_store_new_overlay(base, NULL, out);
}

void
rn_coll_store_free(struct rn_coll_store *s)
{
	if (s == NULL)
		return;
	mem_free(s->mem);
	free(s->dir);
	free(s);
}

static enum rn_err
disk_put_frame(
    struct rn_coll_store *s, const uint8_t id[RN_COLL_ID_LEN], const void *frame, size_t n)
{
	char	    path[4096];
	enum rn_err err;

	if ((err = obj_path(s, id, path, sizeof(path), true)) != RN_OK ||
	    (err = mkdir_durable(path)) != RN_OK ||
	    (err = obj_path(s, id, path, sizeof(path), false)) != RN_OK)
		return err;
	if (access(path, F_OK) == 0)
		return RN_OK;
	return rn_file_write_atomic(path, frame, n, 0600);
}

enum rn_err
rn_coll_store_put(struct rn_coll_store *s, enum rn_coll_type type, const void *payload, size_t len,
    uint8_t id[RN_COLL_ID_LEN])
{
	uint8_t	      tmp[RN_COLL_ID_LEN];
	struct rn_buf frame;
	enum rn_err   err;

	if (!rn_coll_type_valid(type) || len > RN_COLL_MAX_OBJECT)
		return RN_ERR_INVAL;
	if (id == NULL)
		id = tmp;
	if ((err = rn_coll_id(type, payload, len, id)) != RN_OK)
		return err;
	if (s->mem != NULL)
		return mem_put(s->mem, id, type, payload, len);
	if (rn_coll_store_has(s, id))
		return RN_OK;
	rn_buf_init(&frame, FRAME_MAX);
	if ((err = rn_coll_frame_encode(type, payload, len, &frame)) == RN_OK)
		err = disk_put_frame(s, id, frame.data, frame.len);
	rn_buf_free(&frame);
	return err;
}

enum rn_err
rn_coll_store_put_frame(
    struct rn_coll_store *s, const uint8_t id[RN_COLL_ID_LEN], const uint8_t *frame, size_t n)
{
	struct rn_buf	  b;
	enum rn_coll_type type;
	size_t		  used;
	enum rn_err	  err;

	rn_buf_init(&b, RN_COLL_MAX_OBJECT);
	if ((err = rn_coll_frame_decode(frame, n, &used, &type, id, &b)) == RN_OK) {
		if (used != n)
			err = RN_ERR_INVAL;
		else if (s->mem != NULL)
			err = mem_put(s->mem, id, type, b.data, b.len);
		else
			err = disk_put_frame(s, id, frame, n);
	}
	rn_buf_free(&b);
	return err;
}

static enum rn_err
disk_read(const struct rn_coll_store *s, const uint8_t id[RN_COLL_ID_LEN], struct rn_buf *frame)
{
	char	    path[4096];
	enum rn_err err;

	if ((err = obj_path(s, id, path, sizeof(path), false)) != RN_OK)
		return err;
	if (access(path, F_OK) != 0)
		return errno == ENOENT ? RN_ERR_NOTFOUND : RN_ERR_IO;
	return rn_file_read_all(path, FRAME_MAX, frame);
}

/* An object of a disk store: its frame read, hash-checked, decoded into out. */
static enum rn_err
disk_get(const struct rn_coll_store *s, const uint8_t id[RN_COLL_ID_LEN], enum rn_coll_type *type,
    struct rn_buf *out, struct rn_buf *frame)
{
	size_t	    used;
	enum rn_err err;

	if ((err = disk_read(s, id, frame)) != RN_OK)
		return err;
	err = rn_coll_frame_decode((const uint8_t *)frame->data, frame->len, &used, type, id, out);
	if (err == RN_OK && used != frame->len)
		err = RN_ERR_INVAL;
	return err == RN_ERR_INVAL ? RN_ERR_CRYPTO : err; /* a damaged file */
}

/* Keep an object read from a base in the overlay, with its frame when there is one. */
static enum rn_err
promote(const struct rn_coll_store *s, const uint8_t id[RN_COLL_ID_LEN], enum rn_coll_type type,
    const struct rn_buf *payload, const struct rn_buf *frame)
{
	struct memobj *o;
	enum rn_err    err;

	if ((err = mem_put(s->mem, id, type, payload->data, payload->len)) != RN_OK)
		return err;
	if (frame == NULL || frame->len == 0 || (o = mem_find(s->mem, id)) == NULL ||
	    o->frame != NULL)
		return RN_OK;
	if ((o->frame = malloc(frame->len)) == NULL)
		return RN_OK; /* only an optimisation */
	memcpy(o->frame, frame->data, frame->len);
	o->flen = frame->len;
	return RN_OK;
}

static enum rn_err
get_any(const struct rn_coll_store *s, const uint8_t id[RN_COLL_ID_LEN], enum rn_coll_type *type,
    struct rn_buf *out)
{
	struct memobj *o;
	struct rn_buf  frame;
	size_t	       i;
	enum rn_err    err = RN_ERR_NOTFOUND;

	rn_buf_init(&frame, FRAME_MAX);
	if (s->mem == NULL) {
		err = disk_get(s, id, type, out, &frame);
		goto out;
	}
	if ((o = mem_find(s->mem, id)) != NULL) {
		*type = o->type;
		out->max = RN_COLL_MAX_OBJECT;
		rn_buf_reset(out);
		err = rn_buf_append(out, o->data, o->len);
		goto out;
	}
	for (i = 0; i < 2 && err == RN_ERR_NOTFOUND; i++) {
		if (s->base[i] == NULL)
			continue;
		rn_buf_reset(&frame);
		if (s->base[i]->mem == NULL)
			err = disk_get(s->base[i], id, type, out, &frame);
		else
			err = get_any(s->base[i], id, type, out);
		if (err == RN_OK)
			err = promote(s, id, *type, out, &frame);
	}
out:
	rn_buf_free(&frame);
	return err;
}

enum rn_err
rn_coll_store_get(const struct rn_coll_store *s, const uint8_t id[RN_COLL_ID_LEN],
    enum rn_coll_type type, struct rn_buf *out)
{
	enum rn_coll_type got;
	enum rn_err	  err;

	if ((err = get_any(s, id, &got, out)) != RN_OK)
		return err;
	return got == type ? RN_OK : RN_ERR_PROTO;
}

enum rn_err
rn_coll_store_get_frame(
    const struct rn_coll_store *s, const uint8_t id[RN_COLL_ID_LEN], struct rn_buf *out)
{
	enum rn_coll_type type;
	struct rn_buf	  b;
	enum rn_err	  err;

	if (s->mem == NULL) {
		out->max = FRAME_MAX;
		rn_buf_reset(out);
		return disk_read(s, id, out);
	}
	rn_buf_init(&b, RN_COLL_MAX_OBJECT);
	if ((err = get_any(s, id, &type, &b)) == RN_OK) {
		out->max = FRAME_MAX;
		rn_buf_reset(out);
		err = rn_coll_frame_encode(type, b.data, b.len, out);
	}
	rn_buf_free(&b);
	return err;
}

bool
rn_coll_store_has(const struct rn_coll_store *s, const uint8_t id[RN_COLL_ID_LEN])
{
	char path[4096];
	int  i;

	if (s->mem != NULL) {
		if (mem_find(s->mem, id) != NULL)
			return true;
		for (i = 0; i < 2; i++)
			if (s->base[i] != NULL && rn_coll_store_has(s->base[i], id))
				return true;
		return false;
	}
	return obj_path(s, id, path, sizeof(path), false) == RN_OK && access(path, F_OK) == 0;
}

enum rn_err
rn_coll_store_delete(struct rn_coll_store *s, const uint8_t id[RN_COLL_ID_LEN])
{
	struct memobj *o;
	char	       path[4096];
	enum rn_err    err;

	if (s->mem != NULL) {
		if ((o = mem_find(s->mem, id)) == NULL)
			return RN_ERR_NOTFOUND;
		mem_del(s->mem, o);
		return RN_OK;
	}
	if ((err = obj_path(s, id, path, sizeof(path), false)) != RN_OK)
		return err;
	if (unlink(path) != 0)
		return errno == ENOENT ? RN_ERR_NOTFOUND : RN_ERR_IO;
	return rn_file_fsync_parent(path);
}

/* One fan-out directory: every "<62 hex>" name in it. */
static enum rn_err
each_in_dir(const char *path, const char *prefix, rn_coll_id_fn fn, void *arg)
{
	char	       hex[RN_COLL_HEX_LEN + 1];
	uint8_t	       id[RN_COLL_ID_LEN];
	struct dirent *de;
	DIR	      *d;
	enum rn_err    err = RN_OK;

	if ((d = opendir(path)) == NULL)
		return RN_ERR_IO;
	while (err == RN_OK && (de = readdir(d)) != NULL) {
		if (strlen(de->d_name) != RN_COLL_HEX_LEN - 2)
			continue;
		memcpy(hex, prefix, 2);
		memcpy(hex + 2, de->d_name, RN_COLL_HEX_LEN - 2);
		if (rn_coll_id_parse(hex, RN_COLL_HEX_LEN, id) == RN_OK)
			err = fn(id, arg);
	}
	closedir(d);
	return err;
}

enum rn_err
rn_coll_store_each(const struct rn_coll_store *s, rn_coll_id_fn fn, void *arg)
{
	char	       path[4096];
	struct dirent *de;
	DIR	      *d;
	size_t	       i;
	enum rn_err    err = RN_OK;

	if (s->mem != NULL) {
		/* fn may delete the current object: walk a copy of the ids. */
		uint8_t(*ids)[RN_COLL_ID_LEN] = NULL;
		size_t n = 0;

		if (s->mem->n > 0 && (ids = calloc(s->mem->n, RN_COLL_ID_LEN)) == NULL)
			return RN_ERR_NOMEM;
		for (i = 0; i < s->mem->cap; i++)
			if (s->mem->slots[i].type != 0)
				memcpy(ids[n++], s->mem->slots[i].id, RN_COLL_ID_LEN);
		for (i = 0; i < n && err == RN_OK; i++)
			err = fn(ids[i], arg);
		free(ids);
		return err;
	}
	snprintf(path, sizeof(path), "%s/objects", s->dir);
	if ((d = opendir(path)) == NULL)
		return RN_ERR_IO;
	while (err == RN_OK && (de = readdir(d)) != NULL) {
		char sub[4096];
		int  n;

		if (strlen(de->d_name) != 2 || de->d_name[0] == '.')
			continue;
		n = snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		if (n > 0 && (size_t)n < sizeof(sub))
			err = each_in_dir(sub, de->d_name, fn, arg);
	}
	closedir(d);
	return err;
}

static enum rn_err
count_one(const uint8_t id[RN_COLL_ID_LEN], void *arg)
{
	(void)id;
	(*(size_t *)arg)++;
	return RN_OK;
}

enum rn_err
rn_coll_store_count(const struct rn_coll_store *s, size_t *out)
{
	*out = 0;
	return rn_coll_store_each(s, count_one, out);
}

enum rn_err
rn_coll_store_copy(
    struct rn_coll_store *dst, const struct rn_coll_store *src, const uint8_t id[RN_COLL_ID_LEN])
{
	enum rn_coll_type type;
	struct rn_buf	  b;
	enum rn_err	  err;

	if (rn_coll_store_has(dst, id) && dst->mem == NULL)
		return RN_OK;
	rn_buf_init(&b, RN_COLL_MAX_OBJECT);
	if ((err = get_any(src, id, &type, &b)) == RN_OK)
		err = rn_coll_store_put(dst, type, b.data, b.len, NULL);
	rn_buf_free(&b);
	return err;
}

/*
 * Flushing a staged commit into a disk store: every new object is written to
 * a temporary file, the file system is synced once, the files are renamed
 * into place, and it is synced again.  As durable as a write, fsync and
 * rename per object, for two syncs per commit instead of two per object.
 */
struct pending {
	char tmp[PATH_MAX];
	char path[PATH_MAX];
};

struct flush_ctx {
	struct rn_coll_store	   *dst;
	const struct rn_coll_store *src;
	struct pending		   *p;
	size_t			    n, cap;
	struct rn_buf		    frame;
};

static enum rn_err
write_temp(struct flush_ctx *c, const uint8_t id[RN_COLL_ID_LEN], const void *data, size_t len)
{
	struct pending *p;
	enum rn_err	err;
	int		fd, n;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		void  *np;

		if ((np = realloc(c->p, cap * sizeof(*c->p))) == NULL)
			return RN_ERR_NOMEM;
		c->p = np;
		c->cap = cap;
	}
	p = &c->p[c->n];
	if ((err = obj_path(c->dst, id, p->path, sizeof(p->path), true)) != RN_OK)
		return err;
	if (mkdir(p->path, 0700) != 0 && errno != EEXIST)
		return RN_ERR_IO;
	if ((err = obj_path(c->dst, id, p->path, sizeof(p->path), false)) != RN_OK)
		return err;
	n = snprintf(p->tmp, sizeof(p->tmp), "%s.tmp.XXXXXX", p->path);
	if (n < 0 || (size_t)n >= sizeof(p->tmp))
		return RN_ERR_TOOBIG;
	if ((fd = mkostemp(p->tmp, O_CLOEXEC)) == -1)
		return RN_ERR_IO;
	c->n++;
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, (const uint8_t *)data + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			return RN_ERR_IO;
		}
		off += (size_t)w;
	}
	return close(fd) == 0 ? RN_OK : RN_ERR_IO;
}

static enum rn_err
flush_one(const uint8_t id[RN_COLL_ID_LEN], void *arg)
{
	struct flush_ctx *c = arg;
	struct memobj	 *o = mem_find(c->src->mem, id);
	enum rn_err	  err;

	if (o == NULL)
		return RN_ERR_NOTFOUND;
	if (c->dst->mem != NULL)
		return mem_put(c->dst->mem, id, o->type, o->data, o->len);
	if (rn_coll_store_has(c->dst, id))
		return RN_OK;
	if (o->frame != NULL)
		return write_temp(c, id, o->frame, o->flen);
	rn_buf_reset(&c->frame);
	if ((err = rn_coll_frame_encode(o->type, o->data, o->len, &c->frame)) != RN_OK)
		return err;
	return write_temp(c, id, c->frame.data, c->frame.len);
}

static enum rn_err
sync_store(const struct rn_coll_store *s)
{
	int fd, rc;

	if ((fd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return RN_ERR_IO;
	rc = syncfs(fd);
	close(fd);
	return rc == 0 ? RN_OK : RN_ERR_IO;
}

enum rn_err
rn_coll_store_flush(const struct rn_coll_store *overlay, struct rn_coll_store *dst)
{
	struct flush_ctx c;
	size_t		 i, done = 0;
	enum rn_err	 err;

	memset(&c, 0, sizeof(c));
	c.dst = dst;
	c.src = overlay;
	rn_buf_init(&c.frame, FRAME_MAX);
	if ((err = rn_coll_store_each(overlay, flush_one, &c)) != RN_OK || c.n == 0 ||
	    dst->mem != NULL || (err = sync_store(dst)) != RN_OK)
		goto out;
	for (done = 0; done < c.n; done++)
		if (rename(c.p[done].tmp, c.p[done].path) != 0) {
			err = RN_ERR_IO;
			goto out;
		}
	err = sync_store(dst);
out:
	for (i = done; i < c.n; i++)
		unlink(c.p[i].tmp);
	rn_buf_free(&c.frame);
	free(c.p);
	return err;
}
