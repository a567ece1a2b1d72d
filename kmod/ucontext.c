// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/hwqnic0 for processes. Each open file is a device context of its
 * own, as a virtual function would be: its doorbell page, object tables,
 * counters and engine kthread, so that one process can reach nothing of
 * another's. Objects are created through the exported verbs (kverbs.c);
 * memory regions pin the process's pages. The process maps the doorbell
 * page, the counters and its queues' pages, and posts and polls there
 * itself: from then on everything it writes is hostile to the engine,
 * which copies and checks it as it does for any host.
 *
 * Locking, outermost first: ctx->lock serialises the ioctls that create
 * or destroy objects, and may be held while copying to the process (which
 * may take mmap_lock); mmap runs under mmap_lock and takes only
 * ctx->map_lock, which destroying an object also holds around its check
 * that nothing maps it. Nothing under map_lock touches process memory.
 * The core's own locks come last.
 */
#include <linux/anon_inodes.h>
#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/debugfs.h>
#include <linux/file.h>
#include <linux/idr.h>
#include <linux/kfifo.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/xarray.h>
#include <linux/dma-direct.h>

#include "device.h"
#include "ioc.h"
#include "ucontext.h"

/* mmap offsets, in pages: the object type above bit 24, its id below */
enum { MMAP_DB, MMAP_STATS, MMAP_CQ, MMAP_SQ, MMAP_RQ };
#define MMAP_OFF(type, id)	((((u64)(type) << 24) | (id)) << PAGE_SHIFT)

#define MAX_CONTEXTS	256	/* each holds tables of about 2 MiB */
#define CHANNEL_EVENTS	256
#define ASYNC_EVENTS	64

struct hwqnic_uctx {
	struct hwqnic_kdev kdev;
	u64 serial;			/* never reused, unlike its address */
	struct mutex lock;
	struct mutex map_lock;
	struct mutex ev_read;		/* kfifo_to_user() wants one reader */
	bool opened;
	/* the process's pages the counters are written to, or NULL */
	struct page **stats_pages;
	struct mm_struct *stats_mm;	/* charged for them */
	struct xarray pds;		/* pdn -> struct hwqnic_kpd */
	spinlock_t ev_lock;
	wait_queue_head_t ev_wait;
	DECLARE_KFIFO(events, struct hwqnic_ioc_async_event, ASYNC_EVENTS);
	/* who opened it, for debugfs's contexts file; on uctx_list while open */
	struct list_head node;
	pid_t owner_pid;
	kuid_t owner_uid;
	char owner_comm[TASK_COMM_LEN];
	atomic64_t pinned;		/* its share of hwqnic_pinned_pages */
};

/* A memory region over pinned pages of the process. */
struct hwqnic_umr {
	struct hwqnic_core_mr core;
	struct page **pages;
	u32 npages;
	bool writable;
	struct mm_struct *mm;		/* charged for the pinned pages */
};

/* A completion channel: the handles of CQs whose armed event came. */
struct hwqnic_uchannel {
	struct kref ref;
	u64 owner;			/* its context's serial */
	spinlock_t lock;
	wait_queue_head_t wait;
	DECLARE_KFIFO(fifo, u32, CHANNEL_EVENTS);
};

/* What the module holds for processes, in sysfs: tests watch them freed. */
static atomic64_t hwqnic_pinned_pages = ATOMIC64_INIT(0);
static atomic_t hwqnic_contexts = ATOMIC_INIT(0);

static struct device *uctx_dma_dev;
static DEFINE_IDA(uctx_ida);
static LIST_HEAD(uctx_list);
static DEFINE_MUTEX(uctx_list_lock);
static struct dentry *uctx_debugfs;
static atomic64_t uctx_serial = ATOMIC64_INIT(0);
static const struct file_operations uchannel_fops;

/* ---- completion channels ---- */

static void uchannel_free(struct kref *ref)
{
	kfree(container_of(ref, struct hwqnic_uchannel, ref));
}

/* The engine's CQ handler: never sleeps; a full channel drops the event. */
static void uchannel_push(struct hwqnic_kcq *cq, void *arg)
{
	struct hwqnic_uchannel *ch = arg;
	unsigned long flags;

	spin_lock_irqsave(&ch->lock, flags);
	kfifo_put(&ch->fifo, cq->core.handle);
	spin_unlock_irqrestore(&ch->lock, flags);
	wake_up_interruptible(&ch->wait);
}

static ssize_t uchannel_read(struct file *f, char __user *buf, size_t len,
			     loff_t *pos)
{
	struct hwqnic_uchannel *ch = f->private_data;
	size_t done = 0;
	u32 h;
	int rc;

	if (len < sizeof(h))
		return -EINVAL;
	for (;;) {
		spin_lock_irq(&ch->lock);
		while (done + sizeof(h) <= len && kfifo_get(&ch->fifo, &h)) {
			spin_unlock_irq(&ch->lock);
			if (copy_to_user(buf + done, &h, sizeof(h)))
				return done ? done : -EFAULT;
			done += sizeof(h);
			spin_lock_irq(&ch->lock);
		}
		spin_unlock_irq(&ch->lock);
		if (done)
			return done;
		if (f->f_flags & O_NONBLOCK)
			return -EAGAIN;
		rc = wait_event_interruptible(ch->wait,
					      !kfifo_is_empty(&ch->fifo));
		if (rc)
			return rc;
	}
}

static __poll_t uchannel_poll(struct file *f, poll_table *wait)
{
	struct hwqnic_uchannel *ch = f->private_data;

	poll_wait(f, &ch->wait, wait);
	return kfifo_is_empty(&ch->fifo) ? 0 : EPOLLIN | EPOLLRDNORM;
}

static int uchannel_release(struct inode *inode, struct file *f)
{
	struct hwqnic_uchannel *ch = f->private_data;

	kref_put(&ch->ref, uchannel_free);
	return 0;
}

static const struct file_operations uchannel_fops = {
	.owner = THIS_MODULE,
	.read = uchannel_read,
	.poll = uchannel_poll,
	.release = uchannel_release,
	.llseek = noop_llseek,
};

/*
 * A destroyed CQ's undelivered events go with it, as uverbs drops them:
 * by the time they are read its handle may name a new CQ.
 */
static void uchannel_purge(struct hwqnic_uchannel *ch, u32 handle)
{
	unsigned int n;
	u32 h;

	spin_lock_irq(&ch->lock);
	for (n = kfifo_len(&ch->fifo); n && kfifo_get(&ch->fifo, &h); n--)
		if (h != handle)
			kfifo_put(&ch->fifo, h);
	spin_unlock_irq(&ch->lock);
}

static int ioc_create_channel(struct hwqnic_uctx *ctx)
{
	struct hwqnic_uchannel *ch = kzalloc(sizeof(*ch),
					     GFP_KERNEL_ACCOUNT);
	int fd;

	if (!ch)
		return -ENOMEM;
	kref_init(&ch->ref);
	ch->owner = ctx->serial;
	spin_lock_init(&ch->lock);
	init_waitqueue_head(&ch->wait);
	INIT_KFIFO(ch->fifo);
	fd = anon_inode_getfd("[hwqnic-channel]", &uchannel_fops, ch,
			      O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		kfree(ch);
	return fd;
}

/* The channel behind fd, with a reference, if it is one of ctx's. */
static struct hwqnic_uchannel *uchannel_get(struct hwqnic_uctx *ctx, int fd)
{
	struct hwqnic_uchannel *ch = NULL;
	struct fd f = fdget(fd);

	if (!f.file)
		return NULL;
	if (f.file->f_op == &uchannel_fops) {
		ch = f.file->private_data;
		if (ch->owner == ctx->serial)
			kref_get(&ch->ref);
		else
			ch = NULL;
	}
	fdput(f);
	return ch;
}

/* ---- the device's callbacks ---- */

static struct hwqnic_uctx *to_uctx(struct hwqnic_dev *dev)
{
	return container_of(dev, struct hwqnic_uctx, kdev.dev);
}

/* In the engine kthread, under the device lock: must not sleep. */
static void uctx_async_event(struct hwqnic_dev *dev, u32 type, u32 handle)
{
	struct hwqnic_uctx *ctx = to_uctx(dev);
	struct hwqnic_ioc_async_event ev = { type, handle };

	kfifo_in_spinlocked(&ctx->events, &ev, 1, &ctx->ev_lock);
	wake_up_interruptible(&ctx->ev_wait);
}

/*
 * The same for asynchronous events of a destroyed CQ (cq) or QP. Takes
 * ev_read, which a reader holds while it copies to the process: never
 * under map_lock.
 */
static void uctx_events_purge(struct hwqnic_uctx *ctx, bool cq, u32 handle)
{
	struct hwqnic_ioc_async_event ev;
	unsigned long flags;
	unsigned int n;

	mutex_lock(&ctx->ev_read);
	spin_lock_irqsave(&ctx->ev_lock, flags);
	for (n = kfifo_len(&ctx->events); n && kfifo_get(&ctx->events, &ev);
	     n--)
		if (ev.handle != handle ||
		    (ev.type == HWQNIC_EVENT_CQ_ERR) != cq)
			kfifo_put(&ctx->events, ev);
	spin_unlock_irqrestore(&ctx->ev_lock, flags);
	mutex_unlock(&ctx->ev_read);
}

static const struct hwqnic_dev_ops uctx_ops = {
	.qp_counters = hwqnic_kdev_qp_counters,
	.cq_event = hwqnic_kdev_cq_event,
	.qp_error = hwqnic_kdev_qp_error,
	.async_event = uctx_async_event,
};

/*
 * ---- object lookups, under ctx->lock or ctx->map_lock: either keeps
 * the object from being destroyed; the core publishes it initialised ----
 */

static struct hwqnic_kcq *uctx_cq(struct hwqnic_uctx *ctx, u32 handle)
{
	struct hwqnic_core_cq *cq;

	if (handle >= HWQNIC_MAX_CQ)
		return NULL;
	cq = READ_ONCE(ctx->kdev.dev.cq[handle]);
	return cq ? container_of(cq, struct hwqnic_kcq, core) : NULL;
}

static struct hwqnic_kqp *uctx_qp(struct hwqnic_uctx *ctx, u32 qpn)
{
	struct hwqnic_core_qp *qp = hwqnic_qp_lookup(&ctx->kdev.dev, qpn);

	return qp ? container_of(qp, struct hwqnic_kqp, core) : NULL;
}

static struct hwqnic_umr *uctx_mr(struct hwqnic_uctx *ctx, u32 key)
{
	struct hwqnic_core_mr *mr = hwqnic_mr_lookup(&ctx->kdev.dev, key);

	return mr ? container_of(mr, struct hwqnic_umr, core) : NULL;
}

/* ---- memory regions ---- */

static void umr_unpin(struct hwqnic_umr *mr, u32 npinned)
{
	unpin_user_pages_dirty_lock(mr->pages, npinned, mr->writable);
	atomic64_sub(npinned, &hwqnic_pinned_pages);
}

static void umr_free(struct hwqnic_umr *mr)
{
	umr_unpin(mr, mr->npages);
	account_locked_vm(mr->mm, mr->npages, false);
	mmdrop(mr->mm);
	kvfree(mr->pages);
	kfree(mr);
}

static int ioc_reg_mr(struct hwqnic_uctx *ctx, void __user *arg)
{
	struct hwqnic_ioc_mr m;
	struct hwqnic_umr *mr;
	struct hwqnic_kpd *pd;
	dma_addr_t *dma = NULL;
	u32 pinned = 0, npages, i;
	u64 first;
	int rc, n;

	if (copy_from_user(&m, arg, sizeof(m)))
		return -EFAULT;
	rc = hwqnic_ioc_mr_check(&m, PAGE_SHIFT, &first, &npages);
	if (rc)
		return rc;
	if (!access_ok((void __user *)(uintptr_t)m.addr, m.length))
		return -EINVAL;

	mr = kzalloc(sizeof(*mr), GFP_KERNEL_ACCOUNT);
	if (!mr)
		return -ENOMEM;
	mr->npages = npages;
	mr->writable = m.access & HWQNIC_MR_NIC_WRITES;
	mr->pages = kvmalloc_array(npages, sizeof(*mr->pages),
				   GFP_KERNEL_ACCOUNT);
	dma = kvmalloc_array(npages, sizeof(*dma), GFP_KERNEL_ACCOUNT);
	if (!mr->pages || !dma) {
		rc = -ENOMEM;
		goto free;
	}
	mr->mm = current->mm;
	mmgrab(mr->mm);
	rc = account_locked_vm(mr->mm, npages, true);
	if (rc)
		goto drop_mm;
	while (pinned < npages) {
		n = pin_user_pages_fast((first + pinned) << PAGE_SHIFT,
					min_t(u32, npages - pinned, 4096),
					FOLL_LONGTERM |
					(mr->writable ? FOLL_WRITE : 0),
					mr->pages + pinned);
		if (n <= 0) {
			rc = n ? n : -EFAULT;
			goto unpin;
		}
		pinned += n;
		atomic64_add(n, &hwqnic_pinned_pages);
	}
	for (i = 0; i < npages; i++)
		dma[i] = phys_to_dma(uctx_dma_dev, page_to_phys(mr->pages[i]));

	mutex_lock(&ctx->lock);
	pd = xa_load(&ctx->pds, m.pdn);
	rc = pd ? hwqnic_mr_reg(&ctx->kdev.dev, &mr->core, &pd->core, m.addr,
				m.length, m.access, dma, npages, PAGE_SHIFT) :
		  -EINVAL;
	if (!rc) {
		m.key = mr->core.key;
		if (copy_to_user(arg, &m, sizeof(m))) {
			hwqnic_mr_dereg(&ctx->kdev.dev, &mr->core);
			rc = -EFAULT;
		}
	}
	mutex_unlock(&ctx->lock);
	kvfree(dma);
	if (!rc) {
		atomic64_add(npages, &ctx->pinned);
		return 0;
	}
	dma = NULL;
unpin:
	umr_unpin(mr, pinned);
	account_locked_vm(mr->mm, npages, false);
drop_mm:
	mmdrop(mr->mm);
free:
	kvfree(dma);
	kvfree(mr->pages);
	kfree(mr);
	return rc;
}

static int ioc_dereg_mr(struct hwqnic_uctx *ctx, void __user *arg)
{
	struct hwqnic_ioc_mr m;
	struct hwqnic_umr *mr;

	if (copy_from_user(&m, arg, sizeof(m)))
		return -EFAULT;
	mutex_lock(&ctx->lock);
	mr = uctx_mr(ctx, m.key);
	if (mr)
		hwqnic_mr_dereg(&ctx->kdev.dev, &mr->core);
	mutex_unlock(&ctx->lock);
	if (!mr)
		return -EINVAL;
	atomic64_sub(mr->npages, &ctx->pinned);
	umr_free(mr);
	return 0;
}

/* ---- PDs, CQs, QPs ---- */

static int ioc_alloc_pd(struct hwqnic_uctx *ctx, void __user *arg)
{
	struct hwqnic_ioc_pd p = {};
	struct hwqnic_kpd *pd;
	int rc;

	mutex_lock(&ctx->lock);
	pd = hwqnic_kalloc_pd(&ctx->kdev);
	rc = PTR_ERR_OR_ZERO(pd);
	if (!rc) {
		p.pdn = pd->core.pdn;
		rc = xa_insert(&ctx->pds, p.pdn, pd, GFP_KERNEL_ACCOUNT);
		if (!rc && copy_to_user(arg, &p, sizeof(p))) {
			xa_erase(&ctx->pds, p.pdn);
			rc = -EFAULT;
		}
		if (rc)
			hwqnic_kdealloc_pd(pd);
	}
	mutex_unlock(&ctx->lock);
	return rc;
}

static int ioc_dealloc_pd(struct hwqnic_uctx *ctx, void __user *arg)
{
	struct hwqnic_ioc_pd p;
	struct hwqnic_kpd *pd;
	int rc = -EINVAL;

	if (copy_from_user(&p, arg, sizeof(p)))
		return -EFAULT;
	mutex_lock(&ctx->lock);
	pd = xa_load(&ctx->pds, p.pdn);
	if (pd) {
		rc = hwqnic_kdealloc_pd(pd);
		if (!rc)
			xa_erase(&ctx->pds, p.pdn);
	}
	mutex_unlock(&ctx->lock);
	return rc;
}

static int ioc_create_cq(struct hwqnic_uctx *ctx, void __user *arg)
{
	struct hwqnic_uchannel *ch = NULL;
	struct hwqnic_ioc_cq c;
	struct hwqnic_kcq *cq;
	int rc;

	if (copy_from_user(&c, arg, sizeof(c)))
		return -EFAULT;
	rc = hwqnic_ioc_cq_check(&c);
	if (rc)
		return rc;
	if (c.channel_fd >= 0) {
		ch = uchannel_get(ctx, c.channel_fd);
		if (!ch)
			return -EINVAL;
	}
	mutex_lock(&ctx->lock);
	cq = hwqnic_kcreate_cq_ex(&ctx->kdev, c.cqe, c.flags,
				  ch ? uchannel_push : NULL, ch);
	rc = PTR_ERR_OR_ZERO(cq);
	if (!rc) {
		atomic_set(&cq->mapped, 0);
		hwqnic_ioc_cq_reply(&c, &cq->core,
				    MMAP_OFF(MMAP_CQ, cq->core.handle));
		if (copy_to_user(arg, &c, sizeof(c))) {
			hwqnic_kdestroy_cq(cq);
			rc = -EFAULT;
		}
	}
	mutex_unlock(&ctx->lock);
	if (rc && ch)
		kref_put(&ch->ref, uchannel_free);
	return rc;
}

static int cq_destroy(struct hwqnic_kcq *cq)
{
	struct hwqnic_uchannel *ch = cq->cq_context;
	u32 handle = cq->core.handle;
	int rc = hwqnic_kdestroy_cq(cq);

	if (rc)
		return rc;
	if (ch) {
		uchannel_purge(ch, handle);
		kref_put(&ch->ref, uchannel_free);
	}
	return 0;
}

static int ioc_destroy_cq(struct hwqnic_uctx *ctx, void __user *arg)
{
	struct hwqnic_ioc_cq c;
	struct hwqnic_kcq *cq;
	int rc = -EINVAL;

	if (copy_from_user(&c, arg, sizeof(c)))
		return -EFAULT;
	mutex_lock(&ctx->lock);
	mutex_lock(&ctx->map_lock);
	cq = uctx_cq(ctx, c.handle);
	if (cq)
		rc = atomic_read(&cq->mapped) ? -EBUSY : cq_destroy(cq);
	mutex_unlock(&ctx->map_lock);
	/* before its handle can be given again (creation takes ctx->lock) */
	if (!rc)
		uctx_events_purge(ctx, true, c.handle);
	mutex_unlock(&ctx->lock);
	return rc;
}

static int ioc_create_qp(struct hwqnic_uctx *ctx, void __user *arg)
{
	struct hwqnic_qp_init_attr ia;
	struct hwqnic_kcq *scq, *rcq;
	struct hwqnic_ioc_qp q;
	struct hwqnic_kpd *pd;
	struct hwqnic_kqp *qp;
	int rc;

	if (copy_from_user(&q, arg, sizeof(q)))
		return -EFAULT;
	rc = hwqnic_ioc_qp_init(&q, &ia);
	if (rc)
		return rc;
	mutex_lock(&ctx->lock);
	pd = xa_load(&ctx->pds, q.pdn);
	scq = uctx_cq(ctx, q.send_cq);
	rcq = uctx_cq(ctx, q.recv_cq);
	qp = pd && scq && rcq ? hwqnic_kcreate_qp(pd, scq, rcq, &ia) :
				ERR_PTR(-EINVAL);
	rc = PTR_ERR_OR_ZERO(qp);
	if (!rc) {
		atomic_set(&qp->mapped, 0);
		hwqnic_ioc_qp_reply(&q, &qp->core,
				    MMAP_OFF(MMAP_SQ, qp->core.qpn),
				    MMAP_OFF(MMAP_RQ, qp->core.qpn));
		if (copy_to_user(arg, &q, sizeof(q))) {
			hwqnic_kdestroy_qp(qp);
			rc = -EFAULT;
		}
	}
	mutex_unlock(&ctx->lock);
	return rc;
}

static int ioc_destroy_qp(struct hwqnic_uctx *ctx, void __user *arg)
{
	struct hwqnic_ioc_qp q;
	struct hwqnic_kqp *qp;
	int rc = -EINVAL;

	if (copy_from_user(&q, arg, sizeof(q)))
		return -EFAULT;
	mutex_lock(&ctx->lock);
	mutex_lock(&ctx->map_lock);
	qp = uctx_qp(ctx, q.qpn);
	if (qp)
		rc = atomic_read(&qp->mapped) ? -EBUSY : hwqnic_kdestroy_qp(qp);
	mutex_unlock(&ctx->map_lock);
	if (!rc)
		uctx_events_purge(ctx, false, q.qpn);
	mutex_unlock(&ctx->lock);
	return rc;
}

static int ioc_modify_qp(struct hwqnic_uctx *ctx, void __user *arg)
{
	struct hwqnic_ioc_qp_attr a;
	struct hwqnic_qp_attr attr;
	struct hwqnic_kqp *qp;
	int rc, mask;

	if (copy_from_user(&a, arg, sizeof(a)))
		return -EFAULT;
	rc = hwqnic_ioc_qp_attr(&a, &attr, &mask);
	if (rc)
		return rc;
	rc = -EINVAL;
	mutex_lock(&ctx->lock);
	qp = uctx_qp(ctx, a.qpn);
	if (qp)
		rc = hwqnic_kmodify_qp(qp, &attr, mask);
	mutex_unlock(&ctx->lock);
	return rc;
}

static int ioc_query_qp(struct hwqnic_uctx *ctx, void __user *arg)
{
	struct hwqnic_ioc_qp_attr a;
	struct hwqnic_qp_attr attr;
	struct hwqnic_kqp *qp;
	u32 qpn;

	if (copy_from_user(&a, arg, sizeof(a)))
		return -EFAULT;
	qpn = a.qpn;
	mutex_lock(&ctx->lock);
	qp = uctx_qp(ctx, qpn);
	if (qp)
		hwqnic_kquery_qp(qp, &attr);
	mutex_unlock(&ctx->lock);
	if (!qp)
		return -EINVAL;
	hwqnic_ioc_qp_attr_reply(&a, qpn, &attr);
	return copy_to_user(arg, &a, sizeof(a)) ? -EFAULT : 0;
}

/* ---- the context ---- */

static void stats_unpin(struct page **pages, u32 npages, void *va)
{
	if (va)
		vunmap(va);
	unpin_user_pages_dirty_lock(pages, npages, true);
	atomic64_sub(npages, &hwqnic_pinned_pages);
	kvfree(pages);
}

/* The stats pages, all pinned and counted in mm's locked memory, freed. */
static void stats_free(struct page **pages, void *va, struct mm_struct *mm)
{
	u32 n = HWQNIC_KDEV_STATS_SIZE >> PAGE_SHIFT;

	stats_unpin(pages, n, va);
	account_locked_vm(mm, n, false);
}

/*
 * The process's memory for its counters (a stats file it publishes, for
 * nictop), pinned and mapped for the engine: HWQNIC_KDEV_STATS_SIZE bytes,
 * counted in its locked memory as an MR's pages are. The kernel only ever
 * adds to what it finds there.
 */
static void *stats_pin(u64 addr, struct page ***pagesp)
{
	u32 n = HWQNIC_KDEV_STATS_SIZE >> PAGE_SHIFT, pinned = 0;
	struct page **pages;
	void *va;
	int got, rc;

	if (!access_ok((void __user *)(uintptr_t)addr, HWQNIC_KDEV_STATS_SIZE))
		return ERR_PTR(-EINVAL);
	pages = kvmalloc_array(n, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages)
		return ERR_PTR(-ENOMEM);
	rc = account_locked_vm(current->mm, n, true);
	if (rc) {
		kvfree(pages);
		return ERR_PTR(rc);
	}
	while (pinned < n) {
		got = pin_user_pages_fast(addr + ((u64)pinned << PAGE_SHIFT),
					  n - pinned,
					  FOLL_WRITE | FOLL_LONGTERM,
					  pages + pinned);
		if (got <= 0) {
			rc = got ? got : -EFAULT;
			goto unpin;
		}
		pinned += got;
		atomic64_add(got, &hwqnic_pinned_pages);
	}
	va = vmap(pages, n, VM_MAP, PAGE_KERNEL);
	if (!va) {
		rc = -ENOMEM;
		goto unpin;
	}
	*pagesp = pages;
	return va;
unpin:
	stats_unpin(pages, pinned, NULL);
	account_locked_vm(current->mm, n, false);
	return ERR_PTR(rc);
}

static int ioc_open(struct hwqnic_uctx *ctx, void __user *arg)
{
	struct hwqnic_stats_file *stats = NULL;
	struct page **pages = NULL;
	struct hwqnic_ioc_open o;
	int id, rc;

	if (copy_from_user(&o, arg, sizeof(o)))
		return -EFAULT;
	rc = hwqnic_ioc_open_check(&o, HWQNIC_KDEV_STATS_SIZE, PAGE_SIZE);
	if (rc)
		return rc;
	if (READ_ONCE(ctx->opened))
		return -EBUSY;
	/* pinning is slow and needs no lock of ours */
	if (o.stats_addr) {
		stats = stats_pin(o.stats_addr, &pages);
		if (IS_ERR(stats))
			return PTR_ERR(stats);
	}
	mutex_lock(&ctx->lock);
	rc = -EBUSY;
	if (ctx->opened)
		goto unpin;
	rc = id = ida_alloc_range(&uctx_ida, 1, MAX_CONTEXTS, GFP_KERNEL);
	if (id < 0)
		goto unpin;
	rc = hwqnic_kdev_init(&ctx->kdev, uctx_dma_dev, id, &uctx_ops, stats);
	if (rc)
		goto free_id;
	/* the process posts, polls, resets and cleans: see the core */
	ctx->kdev.dev.user_host = true;
	/*
	 * The engine works for this process alone: its CPU time goes to the
	 * process's cgroups, whose limits (cpu.max, cpuset) then bound it,
	 * and it runs at the process's nice.
	 */
	rc = cgroup_attach_task_all(current, ctx->kdev.engine);
	if (rc)
		goto fini;
	set_user_nice(ctx->kdev.engine, task_nice(current));

	o.dev_id = id;
	o.stats_len = ctx->kdev.stats_size;
	o.stats_off = stats ? 0 : MMAP_OFF(MMAP_STATS, 0);
	o.db_off = MMAP_OFF(MMAP_DB, 0);
	o.db_len = PAGE_ALIGN(sizeof(struct hwqnic_db_page));
	if (copy_to_user(arg, &o, sizeof(o))) {
		rc = -EFAULT;
		goto fini;
	}
	ctx->stats_pages = pages;
	if (stats) {
		ctx->stats_mm = current->mm;
		mmgrab(ctx->stats_mm);
		atomic64_add(HWQNIC_KDEV_STATS_SIZE >> PAGE_SHIFT,
			     &ctx->pinned);
	}
	ctx->owner_pid = task_tgid_nr(current);
	ctx->owner_uid = current_uid();
	get_task_comm(ctx->owner_comm, current);
	mutex_lock(&uctx_list_lock);
	list_add_tail(&ctx->node, &uctx_list);
	mutex_unlock(&uctx_list_lock);
	WRITE_ONCE(ctx->opened, true);
	atomic_inc(&hwqnic_contexts);
	mutex_unlock(&ctx->lock);
	return 0;
fini:
	hwqnic_kdev_fini(&ctx->kdev);
free_id:
	ida_free(&uctx_ida, id);
unpin:
	mutex_unlock(&ctx->lock);
	if (stats)
		stats_free(pages, stats, current->mm);
	return rc;
}

static long uctx_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct hwqnic_uctx *ctx = f->private_data;
	void __user *p = (void __user *)arg;

	if (cmd == HWQNIC_IOC_OPEN)
		return ioc_open(ctx, p);
	/* published by ioc_open() under the lock, never undone while open */
	if (!READ_ONCE(ctx->opened))
		return -EINVAL;
	switch (cmd) {
	case HWQNIC_IOC_ALLOC_PD:
		return ioc_alloc_pd(ctx, p);
	case HWQNIC_IOC_DEALLOC_PD:
		return ioc_dealloc_pd(ctx, p);
	case HWQNIC_IOC_REG_MR:
		return ioc_reg_mr(ctx, p);
	case HWQNIC_IOC_DEREG_MR:
		return ioc_dereg_mr(ctx, p);
	case HWQNIC_IOC_CREATE_CHANNEL:
		return ioc_create_channel(ctx);
	case HWQNIC_IOC_CREATE_CQ:
		return ioc_create_cq(ctx, p);
	case HWQNIC_IOC_DESTROY_CQ:
		return ioc_destroy_cq(ctx, p);
	case HWQNIC_IOC_CREATE_QP:
		return ioc_create_qp(ctx, p);
	case HWQNIC_IOC_DESTROY_QP:
		return ioc_destroy_qp(ctx, p);
	case HWQNIC_IOC_MODIFY_QP:
		return ioc_modify_qp(ctx, p);
	case HWQNIC_IOC_QUERY_QP:
		return ioc_query_qp(ctx, p);
	case HWQNIC_IOC_WAKE:
		hwqnic_engine_kick(&ctx->kdev.dev);
		return 0;
	default:
		return -ENOTTY;
	}
}

/* A mapping of a queue keeps its object from being destroyed. */
static void uobj_vm_open(struct vm_area_struct *vma)
{
	atomic_inc(vma->vm_private_data);
}

static void uobj_vm_close(struct vm_area_struct *vma)
{
	atomic_dec(vma->vm_private_data);
}

static const struct vm_operations_struct uobj_vm_ops = {
	.open = uobj_vm_open,
	.close = uobj_vm_close,
};

/* Maps the queue's pages, each on its own: they need not be contiguous. */
static int map_queue(struct vm_area_struct *vma, const struct hwqnic_hwq *h,
		     atomic_t *mapped)
{
	size_t pg = (size_t)1 << h->pbl.ctx.pg_shift;
	u32 i;
	int rc;

	if (vma->vm_end - vma->vm_start != (u64)h->pbl.ctx.npages * pg)
		return -EINVAL;
	for (i = 0; i < h->pbl.ctx.npages; i++) {
		rc = remap_pfn_range(vma, vma->vm_start + i * pg,
				     PHYS_PFN(dma_to_phys(uctx_dma_dev,
							  h->pbl.pg_dma[i])),
				     pg, vma->vm_page_prot);
		if (rc)
			return rc;
	}
	vma->vm_ops = &uobj_vm_ops;
	vma->vm_private_data = mapped;
	atomic_inc(mapped);
	return 0;
}

static int uctx_mmap(struct file *f, struct vm_area_struct *vma)
{
	struct hwqnic_uctx *ctx = f->private_data;
	struct hwqnic_kdev *kdev = &ctx->kdev;
	unsigned long len = vma->vm_end - vma->vm_start;
	u32 type = vma->vm_pgoff >> 24, id = vma->vm_pgoff & 0xffffff;
	struct hwqnic_kcq *cq;
	struct hwqnic_kqp *qp;
	int rc = -EINVAL;

	if (!READ_ONCE(ctx->opened) || !(vma->vm_flags & VM_SHARED) ||
	    vma->vm_pgoff >> 32)
		return -EINVAL;
	vma->vm_flags |= VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP;
	mutex_lock(&ctx->map_lock);
	switch (type) {
	case MMAP_DB:
		if (!id && len == PAGE_ALIGN(sizeof(struct hwqnic_db_page)))
			rc = remap_pfn_range(vma, vma->vm_start,
					     PHYS_PFN(dma_to_phys(uctx_dma_dev,
								  kdev->dev.dbp_dma)),
					     len, vma->vm_page_prot);
		break;
	case MMAP_STATS:
		if (!id && len == kdev->stats_size && kdev->stats_owned)
			rc = remap_vmalloc_range(vma, kdev->stats, 0);
		break;
	case MMAP_CQ:
		cq = uctx_cq(ctx, id);
		if (cq)
			rc = map_queue(vma, &cq->core.hwq, &cq->mapped);
		break;
	case MMAP_SQ:
	case MMAP_RQ:
		qp = uctx_qp(ctx, id);
		if (qp)
			rc = map_queue(vma, type == MMAP_SQ ? &qp->core.sq :
					    &qp->core.rq, &qp->mapped);
		break;
	}
	mutex_unlock(&ctx->map_lock);
	return rc;
}

/* Asynchronous events, struct hwqnic_ioc_async_event each. */
static ssize_t uctx_read(struct file *f, char __user *buf, size_t len,
			 loff_t *pos)
{
	struct hwqnic_uctx *ctx = f->private_data;
	unsigned int copied;
	int rc;

	if (len < sizeof(struct hwqnic_ioc_async_event))
		return -EINVAL;
	for (;;) {
		mutex_lock(&ctx->ev_read);
		rc = kfifo_to_user(&ctx->events, buf, len, &copied);
		mutex_unlock(&ctx->ev_read);
		if (rc || copied)
			return rc ? rc : copied;
		if (f->f_flags & O_NONBLOCK)
			return -EAGAIN;
		rc = wait_event_interruptible(ctx->ev_wait,
					      !kfifo_is_empty(&ctx->events));
		if (rc)
			return rc;
	}
}

static __poll_t uctx_poll(struct file *f, poll_table *wait)
{
	struct hwqnic_uctx *ctx = f->private_data;

	poll_wait(f, &ctx->ev_wait, wait);
	return kfifo_is_empty(&ctx->events) ? 0 : EPOLLIN | EPOLLRDNORM;
}

static int uctx_open(struct inode *inode, struct file *f)
{
	struct hwqnic_uctx *ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);

	if (!ctx)
		return -ENOMEM;
	ctx->serial = atomic64_inc_return(&uctx_serial);
	mutex_init(&ctx->lock);
	mutex_init(&ctx->map_lock);
	mutex_init(&ctx->ev_read);
	xa_init(&ctx->pds);
	spin_lock_init(&ctx->ev_lock);
	init_waitqueue_head(&ctx->ev_wait);
	INIT_KFIFO(ctx->events);
	f->private_data = ctx;
	return stream_open(inode, f);
}

/*
 * The last reference is gone, mappings included: the engine stops first,
 * then whatever the process left behind is destroyed, QPs before the CQs
 * and PDs they use.
 */
static int uctx_release(struct inode *inode, struct file *f)
{
	struct hwqnic_uctx *ctx = f->private_data;
	struct hwqnic_dev *dev = &ctx->kdev.dev;
	struct hwqnic_stats_file *stats;
	struct hwqnic_kpd *pd;
	struct hwqnic_umr *mr;
	struct hwqnic_kcq *cq;
	struct hwqnic_kqp *qp;
	unsigned long i;

	if (ctx->opened) {
		mutex_lock(&uctx_list_lock);
		list_del(&ctx->node);
		mutex_unlock(&uctx_list_lock);
		hwqnic_kdev_stop(&ctx->kdev);
		for (i = 0; i < HWQNIC_MAX_QP; i++) {
			qp = uctx_qp(ctx, HWQNIC_FIRST_QPN + i);
			if (qp)
				hwqnic_kdestroy_qp(qp);
		}
		for (i = 0; i < HWQNIC_MAX_CQ; i++) {
			cq = uctx_cq(ctx, i);
			if (cq)
				cq_destroy(cq);
		}
		for (i = 0; i < HWQNIC_MAX_MR; i++) {
			if (!dev->mr[i])
				continue;
			mr = container_of(dev->mr[i], struct hwqnic_umr, core);
			hwqnic_mr_dereg(dev, &mr->core);
			umr_free(mr);
		}
		xa_for_each(&ctx->pds, i, pd)
			hwqnic_kdealloc_pd(pd);
		ida_free(&uctx_ida, dev->id);
		stats = ctx->kdev.stats_owned ? NULL : ctx->kdev.stats;
		hwqnic_kdev_fini(&ctx->kdev);
		if (stats) {
			stats_free(ctx->stats_pages, stats, ctx->stats_mm);
			mmdrop(ctx->stats_mm);
		}
		atomic_dec(&hwqnic_contexts);
	}
	xa_destroy(&ctx->pds);
	mutex_destroy(&ctx->ev_read);
	mutex_destroy(&ctx->map_lock);
	mutex_destroy(&ctx->lock);
	kfree(ctx);
	return 0;
}

static const struct file_operations uctx_fops = {
	.owner = THIS_MODULE,
	.open = uctx_open,
	.release = uctx_release,
	.unlocked_ioctl = uctx_ioctl,
	.mmap = uctx_mmap,
	.read = uctx_read,
	.poll = uctx_poll,
	.llseek = no_llseek,
};

static struct miscdevice uctx_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "hwqnic0",
	.fops = &uctx_fops,
	.mode = 0666,
};

/* What the module holds for processes: tests read these to see it freed. */
static ssize_t contexts_show(struct device *d, struct device_attribute *a,
			     char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&hwqnic_contexts));
}
static DEVICE_ATTR_RO(contexts);

static ssize_t pinned_pages_show(struct device *d, struct device_attribute *a,
				 char *buf)
{
	return sysfs_emit(buf, "%lld\n",
			  (long long)atomic64_read(&hwqnic_pinned_pages));
}
static DEVICE_ATTR_RO(pinned_pages);

static struct attribute *uctx_attrs[] = {
	&dev_attr_contexts.attr,
	&dev_attr_pinned_pages.attr,
	NULL,
};

static const struct attribute_group uctx_group = { .attrs = uctx_attrs };

/*
 * debugfs hwqnic/contexts: one line per open context, with what it costs
 * and whom for: the owner's pid and uid, its engine kthread's pid and CPU
 * time (ns, as the scheduler counts it), the pages it keeps pinned, and
 * the owner's command name last (it may hold spaces).
 */
static int owners_show(struct seq_file *m, void *v)
{
	struct hwqnic_uctx *ctx;

	seq_puts(m, "dev pid uid engine_pid engine_ns pinned_pages comm\n");
	mutex_lock(&uctx_list_lock);
	list_for_each_entry(ctx, &uctx_list, node)
		seq_printf(m, "hwqnic%u %d %u %d %llu %lld %s\n",
			   ctx->kdev.dev.id, ctx->owner_pid,
			   from_kuid_munged(&init_user_ns, ctx->owner_uid),
			   task_pid_nr(ctx->kdev.engine),
			   (unsigned long long)
			   READ_ONCE(ctx->kdev.engine->se.sum_exec_runtime),
			   (long long)atomic64_read(&ctx->pinned),
			   ctx->owner_comm);
	mutex_unlock(&uctx_list_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(owners);

int hwqnic_ucontext_register(struct device *dma_dev)
{
	int rc;

	uctx_dma_dev = dma_dev;
	rc = sysfs_create_group(&dma_dev->kobj, &uctx_group);
	if (rc)
		return rc;
	rc = misc_register(&uctx_misc);
	if (rc) {
		sysfs_remove_group(&dma_dev->kobj, &uctx_group);
		return rc;
	}
	/* a view for the administrator: the module works without it */
	uctx_debugfs = debugfs_create_dir("hwqnic", NULL);
	debugfs_create_file("contexts", 0400, uctx_debugfs, NULL,
			    &owners_fops);
	return 0;
}

void hwqnic_ucontext_unregister(void)
{
	debugfs_remove_recursive(uctx_debugfs);
	misc_deregister(&uctx_misc);
	sysfs_remove_group(&uctx_dma_dev->kobj, &uctx_group);
}
