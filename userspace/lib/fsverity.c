// SPDX-License-Identifier: MIT
/*
 * fsverity.c - FS_IOC_MEASURE_VERITY and FS_IOC_ENABLE_VERITY.
 *
 * The ioctls directly, as libfsverity_enable() does (a wrapper around the
 * same ioctl): nothing here needs the library's userspace Merkle tree.
 * Nothing here prints.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/fsverity.h>

#include "fsverity.h"

/**
 * ipectl_fsv_measure() - a file's fs-verity digest, measured by the kernel.
 * @fd: the file, open for reading.
 * @d: filled in.
 *
 * Return: 0; -ENODATA when fs-verity is off for the file; -EOPNOTSUPP
 * when the filesystem has no verity feature or the kernel no
 * CONFIG_FS_VERITY; -ENOTTY when the filesystem cannot do fs-verity at
 * all; -EOVERFLOW for an algorithm IPE has no name for; -errno.
 */
int ipectl_fsv_measure(int fd, struct ipectl_fsv_digest *d)
{
	/* a union: ISO C allows no struct with a flexible array in a struct */
	union {
		struct fsverity_digest m;
		unsigned char buf[sizeof(struct fsverity_digest) + 64];
	} u = { .m.digest_size = 64 };

	if (ioctl(fd, FS_IOC_MEASURE_VERITY, &u.m))
		return -errno;
	if (u.m.digest_size > sizeof(d->bytes))
		return -EOVERFLOW;
	switch (u.m.digest_algorithm) {
	case FS_VERITY_HASH_ALG_SHA256:
		snprintf(d->alg, sizeof(d->alg), "sha256");
		break;
	case FS_VERITY_HASH_ALG_SHA512:
		snprintf(d->alg, sizeof(d->alg), "sha512");
		break;
	default:
		return -EOVERFLOW;
	}
	memcpy(d->bytes, u.m.digest, u.m.digest_size);
	d->len = u.m.digest_size;
	return 0;
}

/**
 * ipectl_fsv_enable() - turn fs-verity on: SHA-256, 4096-byte blocks, no
 *	salt, no signature (what `fsverity enable FILE` does).
 * @fd: the file, open read-only (the kernel refuses a writable one).
 *
 * Return: 0 (also when fs-verity was already on); -ETXTBSY when the file
 * is open for writing; -EOPNOTSUPP, -ENOTTY (see ipectl_fsv_measure());
 * -EROFS; -EACCES without write permission on the file; -EPERM for an
 * append-only or immutable file; -errno.
 */
int ipectl_fsv_enable(int fd)
{
	struct fsverity_enable_arg arg = {
		.version = 1,
		.hash_algorithm = FS_VERITY_HASH_ALG_SHA256,
		.block_size = 4096,
	};

	if (ioctl(fd, FS_IOC_ENABLE_VERITY, &arg))
		return errno == EEXIST ? 0 : -errno;
	return 0;
}

/**
 * ipectl_fsv_explain() - why fs-verity is off or cannot be turned on, in
 *	words, with what to do.
 * @err: an errno from ipectl_fsv_measure() or ipectl_fsv_enable().
 *
 * Return: a static sentence.
 */
const char *ipectl_fsv_explain(int err)
{
	switch (err < 0 ? -err : err) {
	case ENODATA:
		return "fs-verity is off for this file";
	case EOPNOTSUPP:
		return "fs-verity is not available here: the filesystem lacks the verity feature (ext4: 'tune2fs -O verity DEVICE' on the unmounted filesystem; f2fs: 'fsck.f2fs -O verity') or the kernel was built without CONFIG_FS_VERITY";
	case ENOTTY:
		return "this filesystem cannot do fs-verity (ext4, f2fs and btrfs can)";
	case ETXTBSY:
		return "the file is open for writing: close it (stop the writer), then try again";
	case EROFS:
		return "the filesystem is mounted read-only: remount it read-write to turn fs-verity on";
	case EACCES:
		return "turning fs-verity on needs write permission on the file";
	case EPERM:
		return "the file is append-only or immutable (chattr), or the caller may not change it";
	case EFBIG:
		return "the file is too large for fs-verity on this filesystem";
	case ENOSPC:
	case EDQUOT:
		return "no space left for the Merkle tree";
	case EINVAL:
		return "the kernel refused SHA-256 with 4096-byte blocks (a page size other than 4096 on a kernel before 6.3?)";
	case EOVERFLOW:
		return "its fs-verity digest algorithm has no IPE name";
	default:
		return strerror(err < 0 ? -err : err);
	}
}
